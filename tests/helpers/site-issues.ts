/** Sent issues for archive tests: composed by the real core from fixture bookmarks, without MJML. */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../lambda/adapters/file-store';
import { loadSiteTemplates } from '../../lambda/adapters/site-templates';
import { composeIssue } from '../../lambda/core/compose';
import type { Bookmark, IssueRecord } from '../../lambda/core/model';
import { createSiteRenderer, type SiteContext } from '../../lambda/render/site-pages';
import { composeOptions, PLACEHOLDER } from './factories';

export const siteContext = (overrides: Partial<SiteContext> = {}): SiteContext => ({
  title: 'Test Digest',
  intro: 'I find this stuff so that you don’t have to.',
  lang: 'en',
  siteUrl: 'https://digest.example.com/',
  timeZone: 'UTC',
  profileUrl: 'https://pinboard.in/u:tester/',
  tagUrl: (tag) => `https://pinboard.in/u:tester/t:${encodeURIComponent(tag)}/`,
  subscribeUrl: 'https://digest.example.com/',
  ...overrides,
});

export async function shippedSiteRenderer(overrides: Partial<SiteContext> = {}) {
  const context = siteContext(overrides);
  return { context, renderer: createSiteRenderer(await loadSiteTemplates(), context) };
}

/**
 * Issue `n` of a weekly digest, composed by core/compose.ts (selection drops private and non-web links)
 * from `bookmarks`, with the subject the default template would give it. Status `sent`.
 */
export function sentIssue(
  n: number,
  bookmarks: readonly Bookmark[],
  status: IssueRecord['status'] = 'sent',
): IssueRecord {
  const now = new Date(Date.parse('2026-01-03T07:00:00Z') + (n - 1) * 7 * 86_400_000).toISOString();
  const dated = bookmarks.map((b, i) => ({
    ...b,
    savedAt: new Date(Date.parse(now) - (i + 1) * 60_000).toISOString(),
  }));
  const result = composeIssue({
    bookmarks: dated,
    issueNumber: n,
    from: new Date(Date.parse(now) - 7 * 86_400_000).toISOString(),
    now,
    sentLinks: new Set(),
    options: composeOptions({ maxBookmarks: 1000, maxHtmlBytes: 10_000_000 }),
    render: (model) => ({
      subject: `Test Digest #${model.issue}: ${model.bookmarkCount} links`,
      preheader: '',
      html: `<p>${PLACEHOLDER}</p>`,
      text: PLACEHOLDER,
    }),
    placeholder: PLACEHOLDER,
    sampleUnsubscribeUrl: 'https://digest.example.com/unsubscribe?token=x',
  });
  if (result.kind !== 'issue') throw new Error(`issue ${n}: nothing composed (${result.reason})`);
  return { ...result.record, status, ...(status === 'sent' ? { sentAt: now } : {}) };
}

/** Every file under `dir`, relative, `/`-separated. */
export async function readTree(dir: string, files: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of files) out.set(f, await readFile(path.join(dir, ...f.split('/')), 'utf8'));
  return out;
}

/** A real file store in a temp folder holding `records` as they are (status included). */
export async function storeWith(records: readonly IssueRecord[]): Promise<FileStore> {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'site-store-')));
  for (const r of records) {
    await store.createIssue({ ...r, status: 'composed' });
    if (r.status !== 'composed') await store.advanceIssue(r.issue, 'composed', 'sending', r.composedAt);
    if (r.status === 'sent') await store.advanceIssue(r.issue, 'sending', 'sent', r.sentAt ?? r.composedAt);
  }
  return store;
}
