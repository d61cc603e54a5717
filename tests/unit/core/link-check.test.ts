/** The link check's pure rules: what an answer means, what a dead link does, which links get checked. */
import {
  applyLinkChecks,
  classifyProbe,
  classifyProbes,
  decideLink,
  type LinkCheckPolicy,
  type LinkOutcome,
  type LinkProbe,
  linksToCheck,
  markText,
  watermarkFor,
} from '../../../lambda/core/link-check';
import { normalizeUrl } from '../../../lambda/core/url';
import { bookmark } from '../../helpers/factories';

const NOW = '2026-11-23T12:00:00.000Z';
const daysAgo = (d: number) => new Date(Date.parse(NOW) - d * 86_400_000).toISOString();
const policy = (overrides: Partial<LinkCheckPolicy> = {}): LinkCheckPolicy => ({
  action: 'hold',
  keepFinalUrl: false,
  holdDays: 14,
  ...overrides,
});

const answer = (
  url: string,
  status: number,
  extra: Partial<Extract<LinkProbe, { kind: 'answer' }>> = {},
): LinkProbe => ({
  url,
  kind: 'answer',
  status,
  finalUrl: url,
  redirects: 0,
  ...extra,
});
const failure = (url: string, code: string): LinkProbe => ({ url, kind: 'failure', code });
const U = 'https://example.com/a';

describe('classifyProbe', () => {
  it('calls only 404, 410, an unknown host and a refused certificate dead', () => {
    expect(classifyProbe(answer(U, 404))).toEqual({ kind: 'dead', status: 404, reason: '404 Not Found' });
    expect(classifyProbe(answer(U, 410))).toEqual({ kind: 'dead', status: 410, reason: '410 Gone' });
    expect(classifyProbe(failure(U, 'ENOTFOUND'))).toEqual({
      kind: 'dead',
      status: null,
      reason: 'DNS: no such host (ENOTFOUND)',
    });
    for (const code of ['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      expect(classifyProbe(failure(U, code))).toEqual({
        kind: 'dead',
        status: null,
        reason: `TLS: the certificate is refused (${code})`,
      });
    }
  });

  it('calls timeouts, 5xx, 429, 401/403, resets, refusals, temporary DNS failures and skipped links unknown', () => {
    for (const status of [500, 502, 503, 429, 401, 403, 400, 451]) {
      expect(classifyProbe(answer(U, status)).kind).toBe('unknown');
    }
    for (const code of ['TIMEOUT', 'ECONNRESET', 'ECONNREFUSED', 'EAI_AGAIN', 'TOO_MANY_REDIRECTS', 'EPROTO']) {
      expect(classifyProbe(failure(U, code)).kind).toBe('unknown');
    }
    for (const code of ['DEADLINE', 'HOST_TIMED_OUT', 'PRIVATE_ADDRESS']) {
      expect(classifyProbe({ url: U, kind: 'skipped', code }).kind).toBe('unknown');
    }
    expect(classifyProbe(answer(U, 503))).toEqual({ kind: 'unknown', reason: 'HTTP 503 Service Unavailable' });
  });

  it('tells a working link from one that got there through redirects', () => {
    expect(classifyProbe(answer(U, 200))).toEqual({ kind: 'alive', status: 200 });
    // A redirect not followed (followRedirects: false) is an answer: the link works.
    expect(classifyProbe(answer(U, 301))).toEqual({ kind: 'alive', status: 301 });
    const moved = answer(U, 200, {
      finalUrl: 'https://new.example.com/a',
      redirects: 2,
      permanentUrl: 'https://new.example.com/a',
    });
    expect(classifyProbe(moved)).toEqual({
      kind: 'redirected',
      status: 200,
      finalUrl: 'https://new.example.com/a',
      permanentUrl: 'https://new.example.com/a',
    });
    expect(classifyProbe(answer(U, 404, { finalUrl: 'https://new.example.com/a', redirects: 1 })).kind).toBe('dead');
  });
});

describe('classifyProbes', () => {
  it('keys outcomes by normalized URL', () => {
    const { outcomes, warning } = classifyProbes([answer('https://Example.com/a/?utm_source=x', 200)]);
    expect(outcomes.get(normalizeUrl(U))).toEqual({ kind: 'alive', status: 200 });
    expect(warning).toBeUndefined();
  });

  it('treats a batch where nothing got an HTTP answer as the checker cut off: nothing dead, one warning', () => {
    const probes = [
      failure('https://a.example/', 'ENOTFOUND'),
      failure('https://b.example/', 'ENOTFOUND'),
      failure('https://c.example/', 'TIMEOUT'),
    ];
    const { outcomes, warning } = classifyProbes(probes);
    expect([...outcomes.values()].map((o) => o.kind)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(warning).toBe(
      "link check: none of 3 links got an HTTP answer (ENOTFOUND ×2, TIMEOUT ×1); that looks like the checker's own network, so no link is treated as dead",
    );
  });

  it('believes a DNS failure when another link got any HTTP answer, even an error', () => {
    const { outcomes, warning } = classifyProbes([
      failure('https://a.example/', 'ENOTFOUND'),
      answer('https://b.example/', 503),
    ]);
    expect(outcomes.get('http://a.example')?.kind).toBe('dead');
    expect(warning).toBeUndefined();
  });

  it('says nothing when everything failed but nothing would have been dead', () => {
    expect(classifyProbes([failure('https://a.example/', 'TIMEOUT')]).warning).toBeUndefined();
  });
});

describe('decideLink', () => {
  const dead: LinkOutcome = { kind: 'dead', status: 404, reason: '404 Not Found' };

  it('keeps a link with no outcome, a working one and an unknown one as they are', () => {
    const b = bookmark();
    for (const outcome of [
      undefined,
      { kind: 'alive', status: 200 } as const,
      { kind: 'unknown', reason: 'x' } as const,
    ]) {
      expect(decideLink(b, outcome, policy({ action: 'drop' }), NOW)).toEqual({ kind: 'keep', bookmark: b });
    }
  });

  it('drops, holds or marks a dead link as the policy says', () => {
    const b = bookmark({ savedAt: daysAgo(1), note: 'My note' });
    const expected = { url: b.url, title: b.title, status: 404, reason: '404 Not Found' };
    expect(decideLink(b, dead, policy({ action: 'drop' }), NOW)).toEqual({
      kind: 'drop',
      dead: { ...expected, action: 'dropped' },
    });
    expect(decideLink(b, dead, policy({ action: 'hold' }), NOW)).toEqual({
      kind: 'hold',
      dead: { ...expected, action: 'held' },
    });
    expect(decideLink(b, dead, policy({ action: 'mark' }), NOW)).toEqual({
      kind: 'keep',
      bookmark: { ...b, note: `${markText('404 Not Found')}\nMy note` },
    });
  });

  it('drops a held link once it is older than holdDays, so it cannot keep the window back for ever', () => {
    expect(decideLink(bookmark({ savedAt: daysAgo(13.9) }), dead, policy({ holdDays: 14 }), NOW).kind).toBe('hold');
    expect(decideLink(bookmark({ savedAt: daysAgo(14.1) }), dead, policy({ holdDays: 14 }), NOW).kind).toBe('drop');
  });

  it('moves a link to the end of its permanent redirects only with keepFinalUrl', () => {
    const b = bookmark({ url: 'http://old.example/a' });
    const moved: LinkOutcome = {
      kind: 'redirected',
      status: 200,
      finalUrl: 'https://new.example/a?session=1',
      permanentUrl: 'https://new.example/a',
    };
    expect(decideLink(b, moved, policy(), NOW)).toEqual({ kind: 'keep', bookmark: b });
    expect(decideLink(b, moved, policy({ keepFinalUrl: true }), NOW)).toEqual({
      kind: 'keep',
      bookmark: { ...b, url: 'https://new.example/a' },
      originalUrl: 'http://old.example/a',
    });
    // A temporary redirect (302 to a login page, a geo page) says the saved address is the one to keep.
    const temporary: LinkOutcome = { kind: 'redirected', status: 200, finalUrl: 'https://login.example/' };
    expect(decideLink(b, temporary, policy({ keepFinalUrl: true }), NOW)).toEqual({ kind: 'keep', bookmark: b });
  });
});

describe('applyLinkChecks and linksToCheck', () => {
  const bs = [1, 2, 3, 4].map((n) => bookmark({ url: `https://example.com/${n}`, savedAt: daysAgo(5 - n) }));
  const [b1, b2, b3, b4] = bs as [
    ReturnType<typeof bookmark>,
    ReturnType<typeof bookmark>,
    ReturnType<typeof bookmark>,
    ReturnType<typeof bookmark>,
  ];
  const outcomes = new Map<string, LinkOutcome>([
    [normalizeUrl(b1.url), { kind: 'alive', status: 200 }],
    [normalizeUrl(b2.url), { kind: 'dead', status: 410, reason: '410 Gone' }],
    [normalizeUrl(b3.url), { kind: 'unknown', reason: 'connection reset' }],
  ]);

  it('keeps order, sorts the dead out and reports every kind', () => {
    const applied = applyLinkChecks(bs, outcomes, policy({ action: 'hold' }), NOW);
    expect(applied.kept).toEqual([b1, b3, b4]);
    expect(applied.held).toEqual([b2]);
    expect(applied.dropped).toEqual([]);
    expect(applied.report).toEqual({
      checked: 3,
      alive: 1,
      redirected: [],
      dead: [{ url: b2.url, title: b2.title, status: 410, reason: '410 Gone', action: 'held' }],
      unknown: [{ url: b3.url, reason: 'connection reset' }],
    });
  });

  it('asks for the first maxBookmarks candidates, then for one more in place of each dead one left out', () => {
    const none = new Map<string, LinkOutcome>();
    expect(linksToCheck(bs, none, policy(), 2, NOW)).toEqual([b1, b2]);
    const firstRound = new Map([...outcomes].slice(0, 2));
    expect(linksToCheck(bs, firstRound, policy(), 2, NOW)).toEqual([b3]);
    // Marked links stay in the issue: nothing more to check.
    expect(linksToCheck(bs, firstRound, policy({ action: 'mark' }), 2, NOW)).toEqual([]);
  });
});

describe('watermarkFor', () => {
  it('is the newest included time, kept back to the oldest held link', () => {
    expect(watermarkFor(daysAgo(1), [])).toBe(daysAgo(1));
    expect(watermarkFor(daysAgo(1), [bookmark({ savedAt: daysAgo(3) }), bookmark({ savedAt: daysAgo(2) })])).toBe(
      daysAgo(3),
    );
    // A held link newer than every included one is past the watermark already: it is read again anyway.
    expect(watermarkFor(daysAgo(2), [bookmark({ savedAt: daysAgo(1) })])).toBe(daysAgo(2));
  });
});
