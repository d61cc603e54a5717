import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fromPinboardPosts } from '../../../lambda/adapters/pinboard-post';
import { DEFAULT_TEMPLATES_DIR, readTemplateSources } from '../../../lambda/adapters/template-files';
import { composeIssue } from '../../../lambda/core/compose';
import type { IssueModel } from '../../../lambda/core/model';
import { noteHtml, noteText } from '../../../lambda/core/note';
import { createRenderer } from '../../../lambda/render/renderer';
import { compileTemplates, NO_TEMPLATE_CACHE } from '../../../lambda/render/templates';
import {
  bookmark,
  composeOptions,
  PLACEHOLDER,
  renderContext,
  shippedRenderer,
  shippedTemplates,
} from '../../helpers/factories';
import { HOSTILE_MARKUP, HOSTILE_NOTE, withoutNoteBlocks } from '../../helpers/note';

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

describe('the note of the day in the email', () => {
  const first = shown({ title: 'First' });
  const noted = (editorNote?: string) => ({
    ...model([first]),
    ...(editorNote === undefined ? {} : { editorNote }),
  });

  it('stands after the intro and above the sections, in both parts', async () => {
    const render = await shippedRenderer();
    const { html, text } = render(noted(HOSTILE_NOTE), UNSUB);
    const at = html.indexOf('<div class="editor-note"><p>Welcome, <em>reader</em>.');
    expect(at).toBeGreaterThan(html.indexOf('I find this stuff'));
    expect(at).toBeLessThan(html.indexOf('<h2'));
    const textAt = text.indexOf('Welcome, reader. <script>alert(1)</script>\n');
    expect(textAt).toBeGreaterThan(text.indexOf('I find this stuff'));
    expect(textAt).toBeLessThan(text.indexOf('== Reads =='));
    expect(text).toContain('\n\nRead the post (https://example.org/post?a=1&b=%222%22) first.\n');
  });

  it('arrives escaped: the note’s markup is text, its one link http(s), the email’s own links unchanged', async () => {
    const render = await shippedRenderer();
    const { html } = render(noted(HOSTILE_NOTE), UNSUB);
    const note = html.slice(html.indexOf('<div class="editor-note">'), html.indexOf('<h2'));
    expect(note).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(note).toContain('&lt;img src=x onerror=alert(1)&gt; &quot;&gt;&lt;svg onload=alert(1)&gt;');
    expect(note).toContain('[x](javascript:alert(1)) **unclosed');
    expect(note).toContain('<a href="https://example.org/post?a=1&amp;b=%222%22">the post</a>');
    expect(html).not.toMatch(HOSTILE_MARKUP);
    const hrefs = (h: string) => [...h.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]);
    const others = hrefs(render(noted(), UNSUB).html);
    expect(hrefs(html)).toEqual([
      ...others.slice(0, 1),
      'https://example.org/post?a=1&amp;b=%222%22',
      ...others.slice(1),
    ]);
  });

  it('gives the note’s links the card’s link colours, light and dark, in a <style> only an issue with a note has', async () => {
    const render = await shippedRenderer();
    const { html } = render(noted('See [this](https://example.org/).'), UNSUB);
    const style = /<style type="text\/css">[^<]*\.editor-note a[^<]*<\/style>/.exec(html)?.[0] ?? '';
    expect(style).toContain('.editor-note a { color: #0b57d0; }');
    expect(style).toMatch(
      /@media \(prefers-color-scheme: dark\) \{ \.editor-note a \{ color: #8ab4f8 !important; \} \}/,
    );
    expect(html.indexOf(style)).toBeLessThan(html.indexOf('</head>'));
    expect(render(noted(), UNSUB).html).not.toContain('editor-note');
  });

  it('is wrapped at 78 in the text part like the rest, its paragraphs and line breaks kept', async () => {
    const render = await shippedRenderer();
    const long = 'A long sentence of the note that runs on. '.repeat(4).trim();
    const { text } = render(noted(`${long}\nA line of its own.\n\nA second paragraph.`), UNSUB);
    const start = text.indexOf('A long sentence');
    expect(text.slice(start, text.indexOf('== Reads ==')).split('\n')).toEqual([
      'A long sentence of the note that runs on. A long sentence of the note that',
      'runs on. A long sentence of the note that runs on. A long sentence of the note',
      'that runs on.',
      'A line of its own.',
      '',
      'A second paragraph.',
      '',
      '',
      '',
    ]);
  });

  it('leaves no trace in an issue without one: the same email as the templates without their note blocks', async () => {
    const sources = await readTemplateSources(DEFAULT_TEMPLATES_DIR);
    expect(sources.html).toContain('{{#if editorNote}}');
    expect(sources.text).toContain('{{#if editorNote}}');
    const before = await compileTemplates(
      { ...sources, html: withoutNoteBlocks(sources.html), text: withoutNoteBlocks(sources.text) },
      path.join(DEFAULT_TEMPLATES_DIR, 'digest.mjml'),
      NO_TEMPLATE_CACHE,
    );
    expect(before.html).not.toContain('editorNote');
    const issue = noted();
    const now = (await shippedRenderer())(issue, UNSUB);
    const then = createRenderer(before, renderContext())(issue, UNSUB);
    expect(now).toEqual(then);
    // And a note that is nothing once cleaned is no note.
    expect((await shippedRenderer())(noted(' \u200B\n '), UNSUB)).toEqual(then);
  });

  it('adds its own HTML and a fixed wrapper, nothing per paragraph or link; its own text to the text part', async () => {
    const render = await shippedRenderer();
    const without = render(noted(), UNSUB);
    const short = 'Hi.';
    const long = Array.from(
      { length: 40 },
      (_, i) => `Para ${i} with *emphasis* and [a link](https://example.org/${i}).`,
    )
      .join('\n\n')
      .slice(0, 2000);
    const wrapper = (note: string) =>
      render(noted(note), UNSUB).html.length - without.html.length - noteHtml(note).length;
    expect(wrapper(short)).toBe(wrapper(long));
    expect(wrapper(short)).toBeLessThan(300);
    expect(render(noted(short), UNSUB).text.length - without.text.length).toBe(noteText(short).length + 2);
  });
});

describe('a round-up, with the shipped templates', () => {
  it('says which issues it holds, in the subject and the header, and what the budget left to the archive', async () => {
    const render = await shippedRenderer();
    const links = [shown({ url: 'https://a.example/1', title: 'One' }), shown({ url: 'https://a.example/2' })];
    const roundup = { ...model(links), issue: 5, roundup: { issues: [2, 3, 4, 5], more: 12 } };
    const out = render(roundup, UNSUB);
    expect(out.subject).toBe('Test Digest round-up #2–#5: 2 links');
    expect(out.html).toContain('Round-up of issues #2–#5');
    expect(out.html).toMatch(/<a href="https:\/\/digest\.example\.com"[^>]*>12 links more on the archive<\/a>/);
    expect(out.text).toContain('Round-up of issues #2–#5');
    expect(out.text).toMatch(
      /12 links more on the archive \(the size of one email left them out\):\s+https:\/\/digest\.example\.com/,
    );
    // Nothing left out: no such line; an issue is no round-up.
    const whole = render({ ...roundup, roundup: { issues: [2, 3, 4, 5], more: 0 } }, UNSUB);
    expect(whole.html).not.toContain('more on the archive');
    expect(render(model(links), UNSUB).subject).toBe('Test Digest #3: 2 links');
  });
});
