import type { NextReport } from '../../../lambda/jobs/compose-next';
import { describeReport } from '../../../lambda/render/report';

const report = (overrides: Partial<NextReport> = {}): NextReport => ({
  private: 0,
  toread: 0,
  excludedTag: 0,
  notIncludedTag: 0,
  outsideWindow: 0,
  duplicate: 0,
  alreadySent: 0,
  unsupportedScheme: {},
  eligible: 1,
  carriedByCount: 0,
  carriedBySize: 0,
  htmlBytes: 1000,
  ...overrides,
});

describe('describeReport', () => {
  it('says which sources were not read, first', () => {
    const lines = describeReport(
      report({
        private: 2,
        sources: { read: 2, failed: [{ source: 'feed https://blog.example/atom.xml', reason: 'HTTP 503' }] },
      }),
    );
    expect(lines).toEqual([
      'sources: read 2 of 3; not read, caught up in a later issue: feed https://blog.example/atom.xml',
      'left out: 2 private',
    ]);
  });

  it('says nothing of sources when all were read, or there is one', () => {
    expect(describeReport(report({ sources: { read: 3, failed: [] } }))).toEqual([]);
    expect(describeReport(report({ carriedByCount: 1 }))).toEqual([
      'carried to the next issue: 1 link (1 over maxBookmarks)',
    ]);
  });
});

describe('describeReport with a link check', () => {
  const dead = (n: number) => ({
    url: `https://gone.example/${n}`,
    title: `Gone ${n}`,
    status: 404,
    reason: '404 Not Found',
    action: 'held' as const,
  });

  it('gives the counts, then each dead, unknown and redirected link with what happened to it', () => {
    const lines = describeReport(
      report({
        linkCheck: {
          checked: 5,
          alive: 1,
          durationMs: 1234,
          redirected: [{ url: 'http://a.example/', finalUrl: 'https://a.example/', kept: true }],
          dead: [
            { ...dead(1), action: 'dropped' },
            {
              url: 'https://x.invalid/',
              title: 'X',
              status: null,
              reason: 'DNS: no such host (ENOTFOUND)',
              action: 'marked',
            },
          ],
          unknown: [{ url: 'https://slow.example/', reason: 'no answer within the time limit' }],
        },
      }),
    );
    expect(lines).toEqual([
      'link check: 5 links checked in 1.2 s: 1 working, 1 redirected, 2 dead, 1 unknown (sent as they are)',
      '  dead, dropped for good: https://gone.example/1 (404 Not Found)',
      '  dead, sent marked: https://x.invalid/ (DNS: no such host (ENOTFOUND))',
      '  unknown, sent: https://slow.example/ (no answer within the time limit)',
      '  redirected, shown at its new address: http://a.example/ → https://a.example/',
    ]);
  });

  it('lists at most 20 of a kind, then how many more', () => {
    const lines = describeReport(
      report({
        linkCheck: { checked: 25, alive: 0, redirected: [], unknown: [], dead: [...Array(25).keys()].map(dead) },
      }),
    );
    expect(lines).toHaveLength(1 + 20 + 1);
    expect(lines[20]).toBe('  dead, held for the next issue: https://gone.example/19 (404 Not Found)');
    expect(lines.at(-1)).toBe('  … and 5 more');
  });
});
