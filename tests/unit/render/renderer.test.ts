import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fromPinboardPosts } from '../../../lambda/adapters/pinboard-post';
import { composeIssue } from '../../../lambda/core/compose';
import type { IssueModel } from '../../../lambda/core/model';
import { createRenderer } from '../../../lambda/render/renderer';
import {
  bookmark,
  composeOptions,
  PLACEHOLDER,
  renderContext,
  shippedRenderer,
  shippedTemplates,
} from '../../helpers/factories';

const UNSUB = 'https://digest.example.com/unsubscribe?token=abc';

function model(bookmarks: IssueModel['sections'][number]['bookmarks'], title = 'Reads'): IssueModel {
  return {
    issue: 3,
    subject: '',
    preheader: '',
    window: { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T08:00:00.000Z' },
    sections: [{ title, bookmarks }],
    bookmarkCount: bookmarks.length,
    carriedOver: 0,
  };
}

const shown = (overrides = {}) => {
  const { shared: _s, toread: _t, ...rest } = bookmark(overrides);
  return rest;
};

describe('createRenderer', () => {
  it('escapes hostile bookmark text and never evaluates it as a template', async () => {
    const render = await shippedRenderer();
    const hostile = shown({
      title: `<script>alert('x')</script> {{constructor.constructor "alert(1)"}} & "q"`,
      note: '<img src=x onerror=alert(1)> {{{unsubscribeUrl}}} {{#each this}}x{{/each}}',
      tags: ['<b>bold</b>'],
    });
    const out = render(model([hostile], '<i>Section</i>'), UNSUB);
    expect(out.html).not.toMatch(/<script|<img|<b>bold|<i>Section/);
    expect(out.html).toContain('&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;');
    expect(out.html).toContain('{{constructor.constructor &quot;alert(1)&quot;}}');
    expect(out.html).toContain('{{{unsubscribeUrl}}} {{#each this}}x{{/each}}');
    expect(out.text).toContain(`<script>alert('x')</script> {{constructor.constructor "alert(1)"}}`);
    expect(out.text).toContain('{{{unsubscribeUrl}}}');
  });

  it('links each bookmark once to its original URL, with its host, note and tag pages', async () => {
    const render = await shippedRenderer();
    const b = shown({
      url: 'https://www.example.org/a?x=1&y=2',
      title: 'A title',
      note: 'Why it matters.',
      tags: ['rust', 'c++'],
    });
    const { html, text } = render(model([b]), UNSUB);
    expect(html.match(/href="https:\/\/www\.example\.org\/a\?x&#x3D;1&amp;y&#x3D;2"/g)).toHaveLength(1);
    expect(html).toMatch(/<span class="h"[^>]*>example\.org<\/span>/);
    expect(html).toContain('Why it matters.');
    expect(html).toMatch(/href="https:\/\/pinboard\.in\/u:tester\/t:c%2B%2B\/"[^>]*>#c\+\+<\/a>/);
    expect(html).toContain('href="https://pinboard.in/u:tester/"');
    expect(text).toContain('https://www.example.org/a?x=1&y=2');
    expect(text).toContain('#rust #c++');
    expect(text).not.toMatch(/<[a-z]/i);
  });

  it('shows tags without links when the source is not Pinboard', async () => {
    const render = await shippedRenderer({ tagUrl: undefined, profileUrl: undefined });
    const { html } = render(model([shown({ tags: ['rust'] })]), UNSUB);
    expect(html).toContain('#rust');
    expect(html).not.toContain('pinboard.in');
  });

  it('puts the unsubscribe link in both parts, the language, subject and preheader in the HTML', async () => {
    const render = await shippedRenderer({ lang: 'de' });
    const out = render(model([shown({ title: 'First' }), shown({ title: 'Second' })]), PLACEHOLDER);
    expect(out.html).toContain(`href="${PLACEHOLDER}"`);
    expect(out.text).toContain(PLACEHOLDER);
    expect(out.html).toMatch(/<html lang="de"/);
    expect(out.subject).toBe('Test Digest #3: 2 Links');
    expect(out.preheader).toBe('First, Second');
    expect(out.html).toContain('First, Second');
    expect(out.html).toContain('<title>Test Digest #3: 2 Links</title>');
  });

  it('wraps the text part at 78, keeping titles on one line and a note, line breaks and all, under its bullet', async () => {
    const render = await shippedRenderer();
    const b = shown({
      url: `https://example.org/${'long-path/'.repeat(10)}`,
      title: 'A title\nwritten over\r\ntwo lines',
      note: `${'A long note that runs on. '.repeat(6)}\n\nA second paragraph.\rA third line.`,
      tags: ['rust'],
    });
    const { text } = render(model([b]), PLACEHOLDER);
    const item = text.slice(text.indexOf('* A title'), text.indexOf('#rust'));
    expect(item.split('\n')).toEqual([
      '* A title written over two lines (example.org)',
      `  https://example.org/${'long-path/'.repeat(10)}`,
      '  A long note that runs on. A long note that runs on. A long note that runs',
      '  on. A long note that runs on. A long note that runs on. A long note that',
      '  runs on.',
      '  A second paragraph.',
      '  A third line.',
      '  ',
    ]);
    for (const line of text.split('\n')) if (line.length > 78) expect(line).toMatch(/^\s*https:\/\/\S+$/);
    expect(text).toMatch(/\nUnsubscribe with one click:\n/);
    expect(text.split('\n')).toContain(PLACEHOLDER);
  });

  it('renders the sample issue the preview shows (snapshot of the plain-text part)', async () => {
    const file = path.join(__dirname, '../../../examples/bookmarks.json');
    const config = JSON.parse(readFileSync(path.join(__dirname, '../../../examples/digest.config.json'), 'utf8'));
    const result = composeIssue({
      bookmarks: fromPinboardPosts(JSON.parse(readFileSync(file, 'utf8')), file),
      issueNumber: 1,
      from: '2026-11-01T00:00:00.000Z',
      now: '2026-11-23T08:00:00.000Z',
      sentLinks: new Set(),
      options: composeOptions({ sections: config.sections }),
      render: await shippedRenderer({ title: config.title, intro: config.intro }),
      placeholder: PLACEHOLDER,
      sampleUnsubscribeUrl: UNSUB,
    });
    if (result.kind !== 'issue') throw new Error(result.reason);
    const { html, text } = result.record.rendered;
    expect(html).not.toContain('example-intranet.corp');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('ftp://');
    expect(html).not.toMatch(/#\.internal|#nodigest/);
    expect(text).toMatchSnapshot();
  });
});

describe('counts in the issue language', () => {
  const issueOf = (n: number) =>
    model(Array.from({ length: n }, (_, i) => shown({ url: `https://example.org/${i}`, title: `Link ${i}` })));

  it('titles a one-link issue "1 link", in the subject, the heading line of both parts', async () => {
    const render = await shippedRenderer();
    const one = render(issueOf(1), PLACEHOLDER);
    expect(one.subject).toBe('Test Digest #3: 1 link');
    expect(one.html).toMatch(/Issue #3 · [^<]+ · 1 link</);
    expect(one.text).toMatch(/^Issue #3 · .+ · 1 link$/m);
    expect(render(issueOf(2), PLACEHOLDER).subject).toBe('Test Digest #3: 2 links');
  });

  it.each([
    [1, '1 ссылка'],
    [2, '2 ссылки'],
    [5, '5 ссылок'],
    [11, '11 ссылок'],
    [21, '21 ссылка'],
    [22, '22 ссылки'],
  ])('counts %i in Russian as "%s" (one, few, many)', async (n, label) => {
    const render = await shippedRenderer({ lang: 'ru' });
    const out = render(issueOf(n), PLACEHOLDER);
    expect(out.subject).toBe(`Test Digest #3: ${label}`);
    expect(out.html).toContain(`· ${label}</div>`);
    expect(out.text).toContain(`· ${label}\n`);
  });

  it('gives author templates a plural helper that follows lang (Polish: 1 link, 3 linki, 5 linków, 22 linki)', async () => {
    const templates = {
      ...(await shippedTemplates()),
      subject: '{{title}}: {{plural count one="# link" few="# linki" many="# linków" other="# linku"}}',
    };
    const render = createRenderer(templates, renderContext({ lang: 'pl' }));
    expect([1, 3, 5, 12, 22].map((n) => render(issueOf(n), PLACEHOLDER).subject)).toEqual([
      'Test Digest: 1 link',
      'Test Digest: 3 linki',
      'Test Digest: 5 linków',
      'Test Digest: 12 linków',
      'Test Digest: 22 linki',
    ]);
  });

  it('names a plural helper without an other form when the templates are compiled', async () => {
    const templates = { ...(await shippedTemplates()), subject: '{{plural count one="# link"}}' };
    expect(() => createRenderer(templates, renderContext())).toThrow(
      /template subject\.hbs: the plural helper needs an other="…" form/,
    );
  });
});
