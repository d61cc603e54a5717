/** composeIssue with link-check outcomes: the model, the links used up and the watermark. */
import { type ComposeInput, composeIssue } from '../../../lambda/core/compose';
import type { LinkCheckPolicy, LinkOutcome } from '../../../lambda/core/link-check';
import type { Bookmark } from '../../../lambda/core/model';
import { normalizeUrl } from '../../../lambda/core/url';
import { bookmark, composeOptions } from '../../helpers/factories';

const NOW = '2026-11-23T12:00:00.000Z';
const FROM = '2026-11-16T12:00:00.000Z';

function compose(
  bookmarks: Bookmark[],
  outcomes?: [string, LinkOutcome][],
  policy: Partial<LinkCheckPolicy> = {},
  sentLinks: string[] = [],
) {
  const input: ComposeInput = {
    bookmarks,
    issueNumber: 3,
    from: FROM,
    now: NOW,
    sentLinks: new Set(sentLinks),
    options: composeOptions(),
    render: (model) => ({ subject: 's', preheader: 'p', html: JSON.stringify(model), text: '' }),
    placeholder: 'pdunsubx',
    sampleUnsubscribeUrl: 'https://x.example/u',
    ...(outcomes
      ? {
          linkCheck: {
            outcomes: new Map(outcomes.map(([url, o]) => [normalizeUrl(url), o])),
            policy: { action: 'drop', keepFinalUrl: false, holdDays: 14, ...policy },
          },
        }
      : {}),
  };
  const result = composeIssue(input);
  if (result.kind !== 'issue') throw new Error(result.reason);
  return result;
}

const a = bookmark({ url: 'http://a.example/1', savedAt: '2026-11-20T00:00:00.000Z' });
const b = bookmark({ url: 'https://b.example/2', savedAt: '2026-11-21T00:00:00.000Z' });
const moved = (to: string): LinkOutcome => ({ kind: 'redirected', status: 200, finalUrl: to, permanentUrl: to });

describe('composeIssue with a link check', () => {
  it('leaves digest.json exactly as before when links are not checked (no deadLinks key)', () => {
    const { record } = compose([a, b]);
    expect(Object.keys(record.model)).toEqual([
      'issue',
      'subject',
      'preheader',
      'window',
      'sections',
      'bookmarkCount',
      'carriedOver',
    ]);
    expect(record.links).toEqual([normalizeUrl(a.url), normalizeUrl(b.url)]);
  });

  it('shows a moved link at its final URL and uses up both addresses', () => {
    const { record } = compose([a, b], [[a.url, moved('https://new.example/1')]], { keepFinalUrl: true });
    expect(record.model.sections.flatMap((s) => s.bookmarks.map((x) => x.url))).toEqual([
      'https://new.example/1',
      b.url,
    ]);
    expect(record.links.sort()).toEqual(['http://a.example/1', 'http://b.example/2', 'http://new.example/1']);
    expect(record.model.deadLinks).toEqual([]);
  });

  it('leaves out a link that moved onto one already in the issue or already sent', () => {
    const onto = compose([a, b], [[a.url, moved(b.url)]], { keepFinalUrl: true });
    expect(onto.record.model.bookmarkCount).toBe(1);
    expect(onto.report.duplicate).toBe(1);
    const sent = compose([a, b], [[a.url, moved('https://old.example/x')]], { keepFinalUrl: true }, [
      'http://old.example/x',
    ]);
    expect(sent.record.model.sections.flatMap((s) => s.bookmarks.map((x) => x.url))).toEqual([b.url]);
  });

  it('moves an http link to its https address, which is the same link', () => {
    const { record } = compose([a], [[a.url, moved('https://a.example/1')]], { keepFinalUrl: true });
    expect(record.model.sections[0]?.bookmarks[0]?.url).toBe('https://a.example/1');
    expect(record.links).toEqual(['http://a.example/1']);
  });

  it('lists a dropped link in deadLinks and in the links used up, never in a section', () => {
    const dead: LinkOutcome = { kind: 'dead', status: 404, reason: '404 Not Found' };
    const { record } = compose([a, b], [[b.url, dead]]);
    expect(record.model.bookmarkCount).toBe(1);
    expect(JSON.stringify(record.model.sections)).not.toContain('b.example');
    expect(record.model.deadLinks).toEqual([
      { url: b.url, title: b.title, status: 404, reason: '404 Not Found', action: 'dropped' },
    ]);
    expect(record.links).toContain('http://b.example/2');
    expect(record.watermark).toBe(a.savedAt);
  });
});
