import { describeReport } from '../../../lambda/cli/report';
import type { NextReport } from '../../../lambda/jobs/compose-next';

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
