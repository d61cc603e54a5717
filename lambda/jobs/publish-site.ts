/**
 * Puts issues on the web: reads what the store holds of the issues that went out, renders the pages and
 * feeds, and hands them to the site adapter in order (pages, then indexes, then feeds). The site is a
 * function of the store: `rebuildSite` writes all of it again from nothing.
 */
import type { IssueRecord } from '../core/model';
import { contentNeeded, pagesChangedBy, type SiteEntry, siteEntries } from '../core/site';
import type { SitePublisher } from '../ports/site';
import type { Store } from '../ports/store';
import { buildSite } from '../render/site';
import type { SiteContext, SiteRenderer } from '../render/site-pages';

export interface SiteDeps {
  store: Pick<Store, 'listIssues' | 'getIssue'>;
  publisher: SitePublisher;
  renderer: SiteRenderer;
  context: SiteContext;
}

export interface PublishResult {
  /** Issues on the site. */
  issues: number;
  files: number;
  /** Issue numbers whose pages were written. */
  pages: number[];
}

/** Issue records read at once from the store. */
const READ_CONCURRENCY = 8;

/** The records of `numbers` (`current` is taken as given, never read). */
async function readRecords(store: SiteDeps['store'], numbers: number[], current?: IssueRecord): Promise<IssueRecord[]> {
  const todo = numbers.filter((n) => n !== current?.issue);
  const records: IssueRecord[] = current ? [current] : [];
  let at = 0;
  const worker = async () => {
    while (at < todo.length) {
      const n = todo[at++] as number;
      const record = await store.getIssue(n);
      if (!record) throw new Error(`site: issue #${n} is listed but the store has no record of it`);
      records.push(record);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, todo.length) }, worker));
  return records;
}

async function publish(deps: SiteDeps, entries: SiteEntry[], pages: number[] | undefined, current?: IssueRecord) {
  const records = await readRecords(deps.store, contentNeeded(entries, pages), current);
  const files = await deps.publisher.publish(buildSite({ entries, records, pages }, deps.renderer, deps.context));
  return { issues: entries.length, files, pages: pages ?? entries.map((e) => e.issue) };
}

/**
 * Publishes `record` (the issue being sent, or a preview that is never stored): its page and the page
 * before it, then the index and the feeds over every issue that went out and this one.
 */
export async function publishIssue(record: IssueRecord, deps: SiteDeps): Promise<PublishResult> {
  const entries = siteEntries(await deps.store.listIssues(), record);
  return publish(deps, entries, pagesChangedBy(entries, record.issue), record);
}

/** Writes the whole site again from the store: every page, the indexes, the feeds. */
export async function rebuildSite(deps: SiteDeps, current?: IssueRecord): Promise<PublishResult> {
  return publish(deps, siteEntries(await deps.store.listIssues(), current), undefined, current);
}
