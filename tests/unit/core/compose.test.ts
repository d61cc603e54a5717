import { composeIssue, type RenderIssue } from '../../../lambda/core/compose';
import { RenderError } from '../../../lambda/core/errors';
import type { IssueModel } from '../../../lambda/core/model';
import { normalizeUrl } from '../../../lambda/core/url';
import { bookmark, composeOptions, PLACEHOLDER, shippedRenderer } from '../../helpers/factories';

const FROM = '2026-11-16T00:00:00.000Z';
const NOW = '2026-11-23T00:00:00.000Z';
const minute = (m: number) => new Date(Date.parse('2026-11-20T00:00:00.000Z') + m * 60_000).toISOString();

async function compose(bookmarks: ReturnType<typeof bookmark>[], options = {}) {
  return composeIssue({
    bookmarks,
    issueNumber: 7,
    from: FROM,
    now: NOW,
    sentLinks: new Set(),
    options: composeOptions(options),
    render: await shippedRenderer(),
    placeholder: PLACEHOLDER,
    sampleUnsubscribeUrl: `https://digest.example.com/unsubscribe?token=${'t'.repeat(60)}`,
  });
}

describe('composeIssue', () => {
  it('composes nothing below minBookmarks, and says why', async () => {
    const result = await compose([bookmark({ savedAt: minute(1) })], { minBookmarks: 2 });
    expect(result.kind).toBe('nothing');
    if (result.kind === 'nothing') expect(result.reason).toMatch(/fewer than minBookmarks \(2\)/);
  });

  it('sets the watermark to the newest included link and records normalized links', async () => {
    const list = [3, 1, 2].map((m) => bookmark({ savedAt: minute(m), url: `https://Example.com/${m}/` }));
    const result = await compose(list);
    if (result.kind !== 'issue') throw new Error(result.reason);
    expect(result.record.watermark).toBe(minute(3));
    expect(result.record.links).toEqual([1, 2, 3].map((m) => normalizeUrl(`https://example.com/${m}`)));
    expect(result.record.status).toBe('composed');
    expect(result.record.model.subject).toBe('Test Digest #7: 3 links');
  });

  it('keeps the watermark below every carried link, so carried links open the next issue', async () => {
    const list = Array.from({ length: 8 }, (_, i) => bookmark({ savedAt: minute(i) }));
    const result = await compose(list, { maxBookmarks: 5 });
    if (result.kind !== 'issue') throw new Error(result.reason);
    expect(result.record.model.bookmarkCount).toBe(5);
    expect(result.record.model.carriedOver).toBe(3);
    expect(result.report.carriedByCount).toBe(3);
    expect(result.record.watermark).toBe(minute(4));
  });

  it('carries links from the newest end until the personalized HTML fits the budget', async () => {
    const list = Array.from({ length: 40 }, (_, i) => bookmark({ savedAt: minute(i), note: 'word '.repeat(200) }));
    const result = await compose(list, { maxHtmlBytes: 30_000 });
    if (result.kind !== 'issue') throw new Error(result.reason);
    const { model } = result.record;
    expect(result.report.htmlBytes).toBeLessThanOrEqual(30_000);
    expect(model.bookmarkCount).toBeGreaterThan(1);
    expect(model.bookmarkCount).toBeLessThan(40);
    expect(model.carriedOver).toBe(40 - model.bookmarkCount);
    expect(result.report.carriedBySize).toBe(40 - model.bookmarkCount);
    // As many as fit: one more would not.
    const oneMore = await compose(list.slice(0, model.bookmarkCount + 1), { maxHtmlBytes: 1_000_000 });
    if (oneMore.kind !== 'issue') throw new Error('expected an issue');
    expect(oneMore.report.htmlBytes).toBeGreaterThan(30_000);
    const newestIncluded = model.sections
      .flatMap((s) => s.bookmarks)
      .map((b) => b.savedAt)
      .sort()
      .at(-1);
    expect(result.record.watermark).toBe(newestIncluded);
  });

  it('fails to render rather than send an issue whose template alone passes the budget', async () => {
    await expect(compose([bookmark({ savedAt: minute(1) })], { maxHtmlBytes: 2_000 })).rejects.toThrow(RenderError);
  });

  it('writes the model in the digest.json shape', async () => {
    const result = await compose([bookmark({ savedAt: minute(1), tags: ['a', '.hidden'] })]);
    if (result.kind !== 'issue') throw new Error(result.reason);
    const model: IssueModel = result.record.model;
    expect(Object.keys(model).sort()).toEqual(
      ['bookmarkCount', 'carriedOver', 'issue', 'preheader', 'sections', 'subject', 'window'].sort(),
    );
    expect(model.window).toEqual({ from: FROM, to: NOW });
    expect(Object.keys(model.sections[0]?.bookmarks[0] ?? {}).sort()).toEqual(
      ['note', 'savedAt', 'tags', 'title', 'url'].sort(),
    );
    expect(model.sections[0]?.bookmarks[0]?.tags).toEqual(['a']);
  });

  it('measures the budget on the HTML as sent: UTF-8 with CRLF line ends, the unsubscribe URL in place', async () => {
    // Each link adds 100 lines of "é\n": 300 bytes with LF, 400 with CRLF. The URL adds its own length.
    const url = `https://digest.example.com/unsubscribe?token=${'t'.repeat(20)}`;
    const render: RenderIssue = (model, unsubscribeUrl) => ({
      subject: 's',
      preheader: 'p',
      html: `${'é\n'.repeat(100 * model.bookmarkCount)}${unsubscribeUrl}`,
      text: '',
    });
    const list = Array.from({ length: 6 }, (_, i) => bookmark({ savedAt: minute(i) }));
    const result = composeIssue({
      bookmarks: list,
      issueNumber: 1,
      from: FROM,
      now: NOW,
      sentLinks: new Set(),
      options: composeOptions({ maxHtmlBytes: 1_700 }),
      render,
      placeholder: PLACEHOLDER,
      sampleUnsubscribeUrl: url,
    });
    if (result.kind !== 'issue') throw new Error(result.reason);
    // With LF counted as sent by an LF-only body, 5 links (1,500 + URL) would have fitted; as sent, 4.
    expect(result.record.model.bookmarkCount).toBe(4);
    expect(result.report.htmlBytes).toBe(4 * 400 + url.length);
  });
});
