/**
 * The one view of an issue (render/issue-view.ts) that the email, the archive's pages and the feeds take:
 * its values, its rule of http(s) links only, and that the email and the page show the same issue alike.
 */
import Handlebars from 'handlebars';
import type { IssueModel } from '../../../lambda/core/model';
import { noteHtml, noteText } from '../../../lambda/core/note';
import { createIssueView, issueFactsOf } from '../../../lambda/render/issue-view';
import { PLACEHOLDER, shippedRenderer } from '../../helpers/factories';
import { shippedSiteRenderer } from '../../helpers/site-issues';

const context = {
  siteUrl: 'https://digest.example.com/',
  lang: 'en',
  timeZone: 'UTC',
  tagUrl: (tag: string) => `https://pinboard.in/u:tester/t:${encodeURIComponent(tag)}/`,
};

const link = (n: number, overrides = {}) => ({
  url: `https://www.example.org/${n}`,
  title: `Link ${n}`,
  note: `Note ${n}`,
  tags: ['rust', 'c++'],
  savedAt: '2026-11-20T12:00:00.000Z',
  ...overrides,
});

const model = (sections: IssueModel['sections'], bookmarkCount = 2): IssueModel => ({
  issue: 12,
  subject: 'My Links #12: 2 links',
  preheader: 'Link 1, Link 2',
  window: { from: '2026-11-16T08:00:00.000Z', to: '2026-11-23T23:30:00.000Z' },
  sections,
  bookmarkCount,
  carriedOver: 0,
});

describe('createIssueView', () => {
  it('gives an issue its number, subject, date, count, permalink, summary and links by section', () => {
    const view = createIssueView(context)(issueFactsOf(model([{ title: 'Reads', bookmarks: [link(1), link(2)] }])));
    expect(view).toEqual({
      issue: 12,
      subject: 'My Links #12: 2 links',
      published: '2026-11-23T23:30:00.000Z',
      dateLabel: 'November 23, 2026',
      count: 2,
      countLabel: '2 links',
      url: 'https://digest.example.com/issues/12/',
      summary: 'Issue #12 · November 23, 2026 · 2 links',
      sections: [
        {
          title: 'Reads',
          bookmarks: [1, 2].map((n) => ({
            url: `https://www.example.org/${n}`,
            title: `Link ${n}`,
            note: `Note ${n}`,
            host: 'example.org',
            tags: [
              { name: 'rust', url: 'https://pinboard.in/u:tester/t:rust/' },
              { name: 'c++', url: 'https://pinboard.in/u:tester/t:c%2B%2B/' },
            ],
          })),
        },
      ],
    });
  });

  it('dates the issue in the digest’s time zone and counts in its language', () => {
    const facts = issueFactsOf(model([{ title: 'Чтение', bookmarks: [link(1)] }], 5));
    const view = createIssueView({ ...context, lang: 'ru', timeZone: 'Asia/Tokyo' })(facts);
    expect(view.dateLabel).toBe('24 ноября 2026 г.'); // 23:30 UTC is the next morning in Tokyo
    expect(view.countLabel).toBe('5 ссылок');
    expect(view.summary).toBe('Issue #12 · 24 ноября 2026 г. · 5 ссылок');
  });

  it('shows only http(s) links and tag pages, and leaves out a section left with none', () => {
    const view = createIssueView({ ...context, tagUrl: (tag) => (tag === 'rust' ? 'javascript:alert(1)' : '') })(
      issueFactsOf(
        model([
          { title: 'Mixed', bookmarks: [link(1), link(2, { url: 'ftp://files.example/x' })] },
          { title: 'Nothing on the web', bookmarks: [link(3, { url: 'javascript:alert(1)' })] },
          { title: 'Empty', bookmarks: [] },
        ]),
      ),
    );
    expect(view.sections.map((s) => [s.title, s.bookmarks.map((b) => b.url)])).toEqual([
      ['Mixed', ['https://www.example.org/1']],
    ]);
    expect(view.sections[0]?.bookmarks[0]?.tags).toEqual([
      { name: 'rust', url: undefined },
      { name: 'c++', url: undefined },
    ]);
    // The count is the issue's own (what compose counted), not the links a view could show.
    expect(view.countLabel).toBe('2 links');
  });

  it('makes an index entry from the store’s list alone: no sections, the same heading', () => {
    const view = createIssueView({ ...context, siteUrl: 'https://example.com/digest//' })({
      issue: 3,
      subject: 'Three',
      bookmarkCount: 1,
      publishedAt: '2026-01-03T07:00:00.000Z',
    });
    expect(view).toMatchObject({ url: 'https://example.com/digest/issues/3/', countLabel: '1 link', sections: [] });
    expect(view.summary).toBe('Issue #3 · January 3, 2026 · 1 link');
  });

  it('fails at once for a time zone Intl does not know, not at the first issue', () => {
    expect(() => createIssueView({ ...context, timeZone: 'Mars/Olympus' })).toThrow(RangeError);
  });

  it('is what the email and the archive page both show of the same issue', async () => {
    const issue = model([{ title: 'Reads', bookmarks: [link(1), link(2)] }]);
    const view = createIssueView(context)(issueFactsOf(issue));
    const email = (await shippedRenderer({ siteUrl: context.siteUrl }))(issue, PLACEHOLDER);
    const { renderer } = await shippedSiteRenderer({ siteUrl: context.siteUrl });
    const page = renderer.issuePage(view, {});
    for (const shown of [view.dateLabel, view.countLabel, view.url]) {
      expect({ shown, email: email.text.includes(shown), page: page.includes(shown) }).toEqual({
        shown,
        email: true,
        page: true,
      });
    }
    for (const b of view.sections.flatMap((s) => s.bookmarks)) {
      expect(email.text).toContain(b.url);
      expect(page).toContain(`href="${b.url}"`);
    }
  });
});

describe('the note of the day in the view', () => {
  const HOSTILE_NOTE =
    'Hello *all*. <script>alert(1)</script> [x](javascript:alert(1)) "><svg onload=alert(1)>\n\n[More](https://example.org/more)';
  const withNote = (editorNote?: string): IssueModel => ({
    ...model([{ title: 'Reads', bookmarks: [link(1)] }], 1),
    ...(editorNote === undefined ? {} : { editorNote }),
  });

  it('gives the note as escaped HTML (a SafeString) and as text, made by core/note.ts', () => {
    const view = createIssueView(context)(issueFactsOf(withNote(HOSTILE_NOTE)));
    expect(view.editorNote?.html).toBeInstanceOf(Handlebars.SafeString);
    expect(view.editorNote?.html.toHTML()).toBe(noteHtml(HOSTILE_NOTE));
    expect(view.editorNote?.html.toHTML()).toBe(
      '<p>Hello <em>all</em>. &lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) &quot;&gt;&lt;svg onload=alert(1)&gt;</p>\n' +
        '<p><a href="https://example.org/more">More</a></p>',
    );
    expect(view.editorNote?.text).toBe(noteText(HOSTILE_NOTE));
  });

  it('has no note at all for an issue without one, or one with nothing in it once cleaned', () => {
    for (const note of [undefined, '', '  \n\u200B\t ']) {
      const view = createIssueView(context)(issueFactsOf(withNote(note)));
      expect({ note, has: 'editorNote' in view }).toEqual({ note, has: false });
    }
    const indexEntry = createIssueView(context)({
      issue: 1,
      subject: 'S',
      bookmarkCount: 1,
      publishedAt: '2026-01-03T07:00:00Z',
    });
    expect('editorNote' in indexEntry).toBe(false);
  });

  it('is put in by {{editorNote.html}} as it is (Handlebars escapes no SafeString), while {{editorNote.text}} is escaped', () => {
    const view = createIssueView(context)(issueFactsOf(withNote('**Hi** <b>&</b>')));
    const template = Handlebars.create().compile('{{#if editorNote}}[{{editorNote.html}}|{{editorNote.text}}]{{/if}}');
    expect(template(view)).toBe('[<p><strong>Hi</strong> &lt;b&gt;&amp;&lt;/b&gt;</p>|Hi &lt;b&gt;&amp;&lt;/b&gt;]');
    expect(template(createIssueView(context)(issueFactsOf(withNote())))).toBe('');
  });

  it('is the same note in the email (both parts) and on the archive page', async () => {
    const issue = withNote('A *quick* word.\nSee [the post](https://example.org/post).');
    const view = createIssueView(context)(issueFactsOf(issue));
    const email = (await shippedRenderer({ siteUrl: context.siteUrl }))(issue, PLACEHOLDER);
    const { renderer } = await shippedSiteRenderer({ siteUrl: context.siteUrl });
    const page = renderer.issuePage(view, {});
    const html = '<p>A <em>quick</em> word.<br>See <a href="https://example.org/post">the post</a>.</p>';
    expect(email.html).toContain(html);
    expect(page).toContain(html);
    expect(email.text).toContain('A quick word.\nSee the post (https://example.org/post).');
  });
});
