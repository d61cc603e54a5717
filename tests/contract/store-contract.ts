/**
 * What the store contracts share. There is one contract per port (issue-store, subscriber-store, ledger, memos,
 * locks: ./*-contract.ts), each run against every adapter: the file store in unit tests
 * (tests/unit/adapters/file-store.test.ts), DynamoDB on dynalite in integration tests
 * (tests/integration/dynamodb-store.test.ts). `make` returns a fresh, empty store; `reopen` a second
 * instance on the same data (another process, or a Lambda's next cold start).
 */
import type { IssueRecord } from '../../lambda/core/model';

export const AT = '2026-11-23T00:00:00.000Z';

export type MakeStore<P> = () => Promise<{ store: P; reopen: () => P }>;

export function issueRecord(n: number, status: IssueRecord['status'], links: string[], watermark: string): IssueRecord {
  return {
    issue: n,
    status,
    model: {
      issue: n,
      subject: `Digest #${n}`,
      preheader: 'p',
      window: { from: AT, to: AT },
      sections: [
        { title: 'S', bookmarks: [{ url: 'https://a.example/', title: 'A', note: '', tags: ['t'], savedAt: AT }] },
      ],
      bookmarkCount: links.length,
      carriedOver: 0,
    },
    rendered: { subject: `Digest #${n}`, preheader: 'p', html: '<p>é ☕ x</p>'.repeat(100), text: 'x' },
    placeholder: 'pdunsubx',
    watermark,
    links,
    composedAt: AT,
  };
}
