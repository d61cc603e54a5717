/**
 * The archive figures: bytes of an issue page per link (a 50-link issue of the sample bookmarks), and the
 * time to rebuild the whole site of 500 issues (20–50 links each) from a file store into a folder: 500
 * pages, the indexes and the feeds, as `rebuildSite` does; beside it, publishing one new issue onto that
 * site (what `send` and compose-issue do). Run alone: `npx tsx tests/bench/site-bench.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSitePublisher } from '../../lambda/adapters/site-files';
import { publishIssue, rebuildSite, type SiteDeps } from '../../lambda/jobs/publish-site';
import { createIssueView, issueFactsOf } from '../../lambda/render/issue-view';
import { fixtureBookmarks, repeatedTo } from '../helpers/fixture-issues';
import { sentIssue, shippedSiteRenderer, storeWith } from '../helpers/site-issues';
import type { Row } from './send-bench';

const ISSUES = 500;
/** Goals: a page no heavier per link than the email's half (≤ 600 bytes), a rebuild of 500 issues in 10 s. */
const BYTES_PER_LINK_GOAL = 600;
const REBUILD_GOAL_MS = 10_000;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function folderBytes(dir: string): Promise<{ files: number; bytes: number }> {
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  let bytes = 0;
  for (const e of entries) bytes += (await readFile(path.join(e.parentPath, e.name))).length;
  return { files: entries.length, bytes };
}

export async function siteBench(): Promise<Row[]> {
  const sample = repeatedTo(fixtureBookmarks('examples/bookmarks.json'), 50 * 20);
  const links = (n: number) => 20 + ((n * 7) % 31); // 20–50 links, varying
  let at = 0;
  const issues = Array.from({ length: ISSUES + 1 }, (_, i) => {
    const count = links(i + 1);
    const slice = sample.slice(at % 900, (at % 900) + count);
    at += count;
    return sentIssue(i + 1, slice);
  });
  const last = issues.pop() as (typeof issues)[number];
  const store = await storeWith(issues);
  const { context, renderer } = await shippedSiteRenderer({ siteUrl: 'https://links.example.com/' });
  const dir = mkdtempSync(path.join(tmpdir(), 'site-bench-'));
  try {
    const deps: SiteDeps = { store, publisher: new FileSitePublisher(dir), renderer, context };

    // One 50-link issue page, as readers get it (no compression).
    const fifty = sentIssue(1, sample.slice(0, 50));
    const pageBytes = Buffer.byteLength(renderer.issuePage(createIssueView(context)(issueFactsOf(fifty.model)), {}));

    const started = performance.now();
    const rebuilt = await rebuildSite(deps);
    const rebuildMs = performance.now() - started;
    const size = await folderBytes(dir);

    await store.createIssue({ ...last, status: 'composed' });
    await store.advanceIssue(last.issue, 'composed', 'sending', last.composedAt);
    const t0 = performance.now();
    const published = await publishIssue(last, deps);
    const publishMs = performance.now() - t0;

    return [
      {
        figure: 'Archive page, 50-link issue: bytes per link',
        value: `${fmt(pageBytes / 50)} B (${fmt(pageBytes)} B the page, uncompressed)`,
        goal: `≤ ${fmt(BYTES_PER_LINK_GOAL)} B`,
        ratio: fmt(BYTES_PER_LINK_GOAL / (pageBytes / 50), 2),
      },
      {
        figure: `Archive rebuild, ${ISSUES} issues from the file store`,
        value: `${fmt(rebuildMs / 1000, 2)} s (${rebuilt.files} files, ${fmt(size.bytes / 1e6, 1)} MB)`,
        goal: `≤ ${fmt(REBUILD_GOAL_MS / 1000)} s`,
        ratio: fmt(REBUILD_GOAL_MS / rebuildMs, 2),
      },
      {
        figure: `  publish issue #${last.issue} onto it`,
        value: `${fmt(publishMs)} ms (${published.files} files: 2 pages, stylesheet, 2 indexes, 3 feeds)`,
        goal: '',
        ratio: '',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  siteBench()
    .then((rows) => {
      for (const r of rows) console.log([r.figure, r.value, r.goal, r.ratio].join(' | '));
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
