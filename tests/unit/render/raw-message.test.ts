/**
 * The raw bytes of messages as they go to SES or the outbox, built from the hostile fixture, Cyrillic and
 * CJK issues and the English sample: CRLF everywhere (RFC 5322 §2.3), no line over 998 octets, each part
 * in the smaller encoding, and the parts decode back to exactly what was rendered.
 */
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { composeIssue } from '../../../lambda/core/compose';
import type { Bookmark, IssueRecord } from '../../../lambda/core/model';
import { buildMessage, personalize, sampleUnsubscribeUrl } from '../../../lambda/render/message';
import { encodedBytes } from '../../../lambda/render/transfer-encoding';
import { composeOptions, messageContext, PLACEHOLDER, shippedRenderer, subscriber } from '../../helpers/factories';
import { fixtureBookmarks, repeatedTo } from '../../helpers/fixture-issues';
import { rawParts } from '../../helpers/raw-mime';

const ctx = messageContext({ siteUrl: 'https://links.example.com' });
const NOW = '2026-11-23T08:00:00.000Z';

async function issueOf(bookmarks: Bookmark[]): Promise<IssueRecord> {
  const result = composeIssue({
    bookmarks,
    issueNumber: 9,
    from: '2026-11-01T00:00:00.000Z',
    now: NOW,
    sentLinks: new Set(),
    options: composeOptions({ includeToRead: true }),
    render: await shippedRenderer(),
    placeholder: PLACEHOLDER,
    sampleUnsubscribeUrl: sampleUnsubscribeUrl(ctx),
  });
  if (result.kind !== 'issue') throw new Error(result.reason);
  return result.record;
}

const ISSUES: Record<string, () => Bookmark[]> = {
  'the hostile fixture': () => fixtureBookmarks('tests/fixtures/hostile/bookmarks.json'),
  'a 50-link Cyrillic issue': () => repeatedTo(fixtureBookmarks('tests/fixtures/i18n/cyrillic.json'), 50),
  'a 50-link CJK issue': () => repeatedTo(fixtureBookmarks('tests/fixtures/i18n/cjk.json'), 50),
  'a 50-link English issue': () => repeatedTo(fixtureBookmarks('examples/bookmarks.json'), 50),
};

const lf = (s: string) => s.replace(/\r\n?/g, '\n');
const bareLineFeeds = (raw: Buffer) => raw.toString('latin1').match(/(^|[^\r])\n/g)?.length ?? 0;
const bareReturns = (raw: Buffer) => raw.toString('latin1').match(/\r(?!\n)/g)?.length ?? 0;
const longestLine = (raw: Buffer) =>
  Math.max(
    ...raw
      .toString('latin1')
      .split('\r\n')
      .map((l) => l.length),
  );
/** Columns on screen, counted independently of the wrapper: CJK and full-width characters take two. */
const columns = (line: string) =>
  [...line].length + (line.match(/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/g)?.length ?? 0);
const LONE_URL = /^[ \t]*https?:\/\/\S+$/;

async function build(bookmarks: Bookmark[]) {
  const record = await issueOf(bookmarks);
  const reader = subscriber({ name: 'Zoë Müller-Lüdenscheidt 读者' });
  const message = await buildMessage(record, reader, ctx, new Date(NOW));
  return { record, message, expected: personalize(record, reader, ctx), mail: await simpleParser(message.raw) };
}

describe('raw messages', () => {
  for (const [name, bookmarks] of Object.entries(ISSUES)) {
    describe(name, () => {
      let built: Awaited<ReturnType<typeof build>>;
      beforeAll(async () => {
        built = await build(bookmarks());
      });

      it('ends every line in CRLF: no bare LF, no bare CR, no line over 998 octets', () => {
        const { raw } = built.message;
        expect(bareLineFeeds(raw)).toBe(0);
        expect(bareReturns(raw)).toBe(0);
        expect(longestLine(raw)).toBeLessThanOrEqual(998);
        for (const part of rawParts(raw)) {
          expect(Math.max(...part.body.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(76);
        }
      });

      it('decodes back to exactly the rendered HTML and text', () => {
        const { mail, expected } = built;
        expect(lf(mail.html || '')).toBe(lf(expected.html));
        expect(lf(mail.text ?? '')).toBe(lf(expected.text));
        expect(mail.html).toContain('<!doctype html>');
      });

      it('sends each part in the smaller encoding, at most 1.4 × its decoded size', () => {
        const parts = rawParts(built.message.raw);
        expect(parts.map((p) => p.contentType)).toEqual(['text/plain; charset=utf-8', 'text/html; charset=utf-8']);
        const decoded = [built.expected.text, built.expected.html].map((s) => s.replace(/\r\n?|\n/g, '\r\n'));
        parts.forEach((part, i) => {
          const content = decoded[i] ?? '';
          const other = part.transferEncoding === 'base64' ? 'quoted-printable' : 'base64';
          expect(['quoted-printable', 'base64']).toContain(part.transferEncoding);
          expect(part.body.length).toBeLessThanOrEqual(encodedBytes(content, other));
          expect(part.body.length).toBeLessThanOrEqual(1.4 * Buffer.byteLength(content));
        });
      });

      it('breaks quoted-printable lines softly only where a line is longer than 76', () => {
        for (const part of rawParts(built.message.raw).filter((p) => p.transferEncoding === 'quoted-printable')) {
          // A logical line is one line of the decoded body; soft breaks (`=` at a line's end) join it back.
          for (const logical of part.body.split(/(?<!=)\r\n/)) {
            const pieces = logical.split('=\r\n');
            if (pieces.length > 1) expect(pieces.join('').length).toBeGreaterThan(76);
          }
        }
      });

      it('wraps the text part at 78 columns; only a lone URL runs longer', () => {
        const long = lf(built.mail.text ?? '')
          .split('\n')
          .filter((line) => line.length > 78 || columns(line) > 78);
        for (const line of long) expect(line).toMatch(LONE_URL);
      });
    });
  }

  it('a Cyrillic issue goes in base64, which quoted-printable would have made over 2× its size', async () => {
    const { message, expected } = await build(ISSUES['a 50-link Cyrillic issue']?.() ?? []);
    const html = rawParts(message.raw)[1];
    const content = expected.html.replace(/\r\n?|\n/g, '\r\n');
    expect(html?.transferEncoding).toBe('base64');
    expect(encodedBytes(content, 'quoted-printable') / Buffer.byteLength(content)).toBeGreaterThan(1.4);
  });

  it('an English issue stays quoted-printable, close to its decoded size', async () => {
    const { message, expected } = await build(ISSUES['a 50-link English issue']?.() ?? []);
    const [text, html] = rawParts(message.raw);
    expect(text?.transferEncoding).toBe('quoted-printable');
    expect(html?.transferEncoding).toBe('quoted-printable');
    expect((html?.body.length ?? 0) / Buffer.byteLength(expected.html)).toBeLessThan(1.1);
  });

  it('holds for arbitrary bookmark text: CR, LF, controls, any script', async () => {
    const text = fc.string({
      maxLength: 400,
      unit: fc.oneof(
        fc.constantFrom('\r', '\n', '\r\n', ' ', '='),
        fc.string({ unit: 'grapheme', maxLength: 1 }),
        fc.string({ unit: 'binary', maxLength: 1 }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ title: text, note: text }), { minLength: 1, maxLength: 8 }),
        async (rows) => {
          const bookmarks = rows.map((r, i) => ({
            url: `https://arbitrary.example/${i}`,
            title: r.title,
            note: r.note,
            tags: ['misc'],
            savedAt: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 60_000).toISOString(),
            shared: true,
            toread: false,
          }));
          const { message, mail, expected } = await build(bookmarks);
          expect(bareLineFeeds(message.raw)).toBe(0);
          expect(bareReturns(message.raw)).toBe(0);
          expect(longestLine(message.raw)).toBeLessThanOrEqual(998);
          expect(lf(mail.html || '')).toBe(lf(expected.html));
          expect(lf(mail.text ?? '')).toBe(lf(expected.text));
          for (const line of lf(mail.text ?? '').split('\n')) if (line.length > 78) expect(line).toMatch(LONE_URL);
        },
      ),
      { numRuns: 25 },
    );
  });
});
