/** Properties that hold for every input: privacy, only http(s) links, escaping, the size budget. */
import fc from 'fast-check';
import { composeIssue } from '../../lambda/core/compose';
import type { Bookmark } from '../../lambda/core/model';
import { buildMessage, personalize } from '../../lambda/render/message';
import { composeOptions, PLACEHOLDER, SECRET, shippedRenderer, subscriber } from '../helpers/factories';

const NOW = '2026-11-23T00:00:00.000Z';
const FROM = '2026-11-01T00:00:00.000Z';
const MESSAGE = {
  from: 'Digest <d@example.com>',
  listId: { name: 'Digest', id: 'digest.example.com' },
  siteUrl: 'https://digest.example.com',
  secret: SECRET,
};

const scheme = fc.constantFrom(
  'https://',
  'http://',
  'javascript:',
  'mailto:',
  'ftp://',
  'file:///',
  'data:text/html,',
  'HTTPS://',
  ' javascript:',
);
const text = fc.string({ maxLength: 300, unit: 'grapheme' });
const hostile = fc.constantFrom(
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'",
  '{{title}}',
  '{{{html}}}',
  '&amp;',
  '`=',
  '',
);
const tag = fc.oneof(fc.stringMatching(/^[a-z0-9+#<>"&.-]{1,12}$/), fc.constantFrom('.private', '.x'));

const bookmarkArb = fc
  .record({
    scheme,
    host: fc.stringMatching(/^[a-z]{1,10}$/),
    path: fc.stringMatching(/^[a-zA-Z0-9/?=&%._-]{0,40}$/),
    title: fc.tuple(text, hostile).map(([a, b]) => a + b),
    note: fc.tuple(hostile, fc.string({ maxLength: 3000 })).map(([a, b]) => a + b),
    tags: fc.array(tag, { maxLength: 6 }),
    minute: fc.integer({ min: 0, max: 30 * 24 * 60 }),
    shared: fc.boolean(),
    toread: fc.boolean(),
  })
  .map(
    (r): Bookmark => ({
      url: `${r.scheme}${r.host}.example/${r.path}`,
      title: r.title,
      note: r.note,
      tags: r.tags,
      savedAt: new Date(Date.parse(FROM) + r.minute * 60_000).toISOString(),
      shared: r.shared,
      toread: r.toread,
    }),
  );

/** Marks private bookmarks so any leak of their text is detectable in every output. */
const withMarkedPrivates = (list: Bookmark[]) =>
  list.map((b, i) =>
    b.shared
      ? b
      : {
          ...b,
          url: `https://private-${i}.example/`,
          title: `PRIVATE-TITLE-${i}`,
          note: `PRIVATE-NOTE-${i}`,
          tags: [`privtag${i}`],
        },
  );

async function run(bookmarks: Bookmark[], maxHtmlBytes = 95_000) {
  return composeIssue({
    bookmarks,
    issueNumber: 1,
    from: FROM,
    now: NOW,
    sentLinks: new Set(),
    options: composeOptions({ maxHtmlBytes, includeToRead: true }),
    render: await shippedRenderer(),
    placeholder: PLACEHOLDER,
    sampleUnsubscribeUrl: personalize(
      { rendered: { html: PLACEHOLDER, text: '', subject: '', preheader: '' }, placeholder: PLACEHOLDER },
      { id: 'x'.repeat(16) },
      MESSAGE,
    ).unsubscribeUrl,
  });
}

const hrefs = (html: string) => [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1] ?? '');

describe('properties over arbitrary bookmarks', () => {
  it('no private bookmark or private tag reaches any output', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bookmarkArb, { maxLength: 40 }), async (raw) => {
        const list = withMarkedPrivates(raw);
        const result = await run(list);
        const outputs = [JSON.stringify(result.report)];
        if (result.kind === 'issue') {
          const message = await buildMessage(result.record, subscriber(), MESSAGE, new Date(NOW));
          outputs.push(JSON.stringify(result.record), message.raw.toString('utf8'));
        }
        const all = outputs.join('\n');
        expect(all).not.toMatch(/PRIVATE-(TITLE|NOTE)-|private-\d+\.example|privtag\d/);
        if (result.kind === 'issue') {
          for (const s of result.record.model.sections) {
            expect(s.title.startsWith('.')).toBe(false);
            for (const b of s.bookmarks) for (const t of b.tags) expect(t.startsWith('.')).toBe(false);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('every rendered link is http(s), in the HTML and in the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bookmarkArb, { minLength: 1, maxLength: 40 }), async (list) => {
        const result = await run(list);
        if (result.kind !== 'issue') return;
        const html = personalize(result.record, { id: 'abc' }, MESSAGE).html;
        for (const href of hrefs(html)) expect(href).toMatch(/^https?:\/\/[^\s]/i);
        for (const s of result.record.model.sections)
          for (const b of s.bookmarks) expect(b.url).toMatch(/^\s*https?:\/\//i);
      }),
      { numRuns: 60 },
    );
  });

  it('no bookmark text survives unescaped in the HTML, and none is run as a template', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bookmarkArb, { minLength: 1, maxLength: 20 }), async (list) => {
        const result = await run(list.map((b) => ({ ...b, shared: true })));
        if (result.kind !== 'issue') return;
        const { html, text } = result.record.rendered;
        expect(html).not.toMatch(/<script|<img|onerror=/);
        // Only tags the template itself writes appear in the body.
        const body = html.slice(html.indexOf('<body'));
        for (const m of body.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9:-]*)/g)) {
          expect(['a', 'body', 'div', 'span', 'p', 'h1', 'h2', 'html', 'table', 'tbody', 'tr', 'td']).toContain(
            (m[1] ?? '').toLowerCase(),
          );
        }
        // Template syntax in bookmark text comes out literally in the text part.
        const shown = result.record.model.sections.flatMap((s) => s.bookmarks);
        for (const b of shown) if (b.title.includes('{{title}}')) expect(text).toContain(b.title.trim());
      }),
      { numRuns: 60 },
    );
  });

  it('the personalized HTML never passes the size budget, and what is left out is carried', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(bookmarkArb, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 30_000, max: 95_000 }),
        async (list, budget) => {
          const result = await run(list, budget);
          if (result.kind !== 'issue') return;
          const html = personalize(result.record, { id: 'y'.repeat(16) }, MESSAGE).html;
          expect(Buffer.byteLength(html)).toBeLessThanOrEqual(budget);
          expect(result.record.model.bookmarkCount + result.record.model.carriedOver).toBe(result.report.eligible);
        },
      ),
      { numRuns: 40 },
    );
  });
});
