/** The behaviour every IssueStore adapter keeps (see ./store-contract.ts for how it is run). */
import { StoreError } from '../../lambda/core/errors';
import type { IssueStore } from '../../lambda/ports/store';
import { AT, issueRecord, type MakeStore } from './store-contract';

export function describeIssueStoreContract(name: string, make: MakeStore<IssueStore>) {
  describe(`IssueStore contract: ${name}`, () => {
    it('starts empty: issue 1 next, nothing sent, nothing unfinished', async () => {
      const { store } = await make();
      const h = await store.history();
      expect(h.nextIssue).toBe(1);
      expect(h.lastSent).toBeUndefined();
      expect(h.unfinished).toBeUndefined();
      expect(h.sentLinks.size).toBe(0);
    });

    it('stores an issue whole and returns it byte for byte', async () => {
      const { store, reopen } = await make();
      const record = issueRecord(1, 'composed', ['http://a.example'], AT);
      await store.createIssue(record);
      expect(await reopen().getIssue(1)).toEqual(record);
      expect(await store.getIssue(2)).toBeUndefined();
    });

    it('derives watermark and sent links from sent issues only, and reports the unfinished one', async () => {
      const { store, reopen } = await make();
      await store.createIssue(issueRecord(1, 'composed', ['http://a.example'], '2026-11-10T00:00:00.000Z'));
      expect(await store.advanceIssue(1, 'composed', 'sending', AT)).toBe(true);
      expect(await store.advanceIssue(1, 'sending', 'sent', '2026-11-11T00:00:00.000Z')).toBe(true);
      await store.createIssue(issueRecord(2, 'composed', ['http://b.example'], '2026-11-17T00:00:00.000Z'));
      await store.advanceIssue(2, 'composed', 'sending', AT);

      const h = await reopen().history();
      expect(h.nextIssue).toBe(3);
      expect(h.lastSent).toEqual({
        issue: 1,
        watermark: '2026-11-10T00:00:00.000Z',
        sentAt: '2026-11-11T00:00:00.000Z',
      });
      expect([...h.sentLinks]).toEqual(['http://a.example']);
      expect(h.unfinished?.issue).toBe(2);
      expect(h.unfinished?.status).toBe('sending');
      expect(h.unfinished?.rendered.html).toContain('☕');
    });

    it('lists every issue oldest first, with subject, link count and times, without the body', async () => {
      const { store, reopen } = await make();
      expect(await store.listIssues()).toEqual([]);
      await store.createIssue(issueRecord(2, 'composed', ['http://b.example', 'http://c.example'], AT));
      await store.createIssue(issueRecord(1, 'composed', ['http://a.example'], AT));
      await store.advanceIssue(1, 'composed', 'sending', AT);
      await store.advanceIssue(1, 'sending', 'sent', '2026-11-23T01:00:00.000Z');
      const listed = await reopen().listIssues();
      expect(listed).toEqual([
        {
          issue: 1,
          status: 'sent',
          subject: 'Digest #1',
          bookmarkCount: 1,
          composedAt: AT,
          sentAt: '2026-11-23T01:00:00.000Z',
        },
        { issue: 2, status: 'composed', subject: 'Digest #2', bookmarkCount: 2, composedAt: AT },
      ]);
      expect(JSON.stringify(listed)).not.toContain('☕');
    });

    it('moves an issue only from the expected status, and never creates one twice', async () => {
      const { store } = await make();
      await store.createIssue(issueRecord(1, 'composed', [], AT));
      expect(await store.advanceIssue(1, 'sending', 'sent', AT)).toBe(false);
      expect((await store.getIssue(1))?.status).toBe('composed');
      expect(await store.advanceIssue(9, 'composed', 'sending', AT)).toBe(false);
      await expect(store.createIssue(issueRecord(1, 'composed', [], AT))).rejects.toThrow(StoreError);
    });
  });
}
