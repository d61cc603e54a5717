import type { CheckResult } from '../../../lambda/doctor/check';
import { judgeSource, sourceChecks } from '../../../lambda/doctor/checks/sources';
import type { SourceProbe } from '../../../lambda/doctor/ports';

const feed = { kind: 'feed', label: 'feed https://feeds.example/x.xml' } as const;
const rss = { kind: 'pinboard-rss', label: 'Pinboard feed of ghost', user: 'ghost' } as const;
const file = { kind: 'file', label: 'bookmark file /p/export.json' } as const;

describe('judgeSource', () => {
  it.each([
    [feed, { bookmarks: 3, warnings: [] }, 'pass', /answers and parses: 3 bookmarks/],
    [feed, { bookmarks: 0, warnings: [] }, 'warn', /holds no bookmarks/],
    [feed, { error: 'feed https://feeds.example/x.xml: HTTP 404: gone' }, 'fail', /HTTP 404/],
    [rss, { bookmarks: 0, warnings: [] }, 'fail', /the user "ghost" does not exist, or shares none/],
    [rss, { bookmarks: 1, warnings: ['2 items skipped'] }, 'pass', /1 bookmark; 2 items skipped/],
    [file, { error: 'cannot read bookmark file /p/export.json: ENOENT' }, 'fail', /ENOENT/],
    [file, { bookmarks: 1, warnings: [] }, 'pass', /^parses: 1 bookmark$/],
  ] as const)('%o %o → %s', (probe, outcome, status, detail) => {
    const result = judgeSource(probe, outcome as Parameters<typeof judgeSource>[1]);
    expect(result).toMatchObject({ id: 'source', title: `Source (${probe.label})`, status });
    expect(result.detail).toMatch(detail);
    if (status !== 'pass') expect(result.fix).toMatch(/^check source\.(url|user|path)/);
  });

  it('reads each source once, and a source that throws fails naming it', async () => {
    let reads = 0;
    const probes: SourceProbe[] = [
      { ...feed, read: async () => ({ bookmarks: 2, warnings: [] }) },
      {
        ...file,
        read: async () => {
          reads++;
          throw new Error('cannot read bookmark file /p/export.json: ENOENT');
        },
      },
    ];
    const results: CheckResult[] = [];
    for (const check of sourceChecks(() => probes)) {
      results.push((await check.run(new AbortController().signal)) as CheckResult);
    }
    expect(results.map((r) => [r.status, r.title])).toEqual([
      ['pass', 'Source (feed https://feeds.example/x.xml)'],
      ['fail', 'Source (bookmark file /p/export.json)'],
    ]);
    expect(reads).toBe(1);
    expect(sourceChecks(() => [])).toEqual([]);
  });
});
