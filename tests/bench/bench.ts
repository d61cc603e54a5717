/**
 * `npm run bench`: the figures the README quotes, each against its goal.
 *  1. HTML bytes per link and in total for a 50-link issue (goal ≤ 1,200 bytes per link, ≤ the budget);
 *     the HTML part of an English, a Cyrillic and a CJK 50-link issue decoded (as the budget counts it)
 *     and encoded as sent (goal ≤ 1.4×). `--html` prints only these rows.
 *  2. Compose time for 200 bookmarks: select + group + render within budget, warm (goal ≤ 100 ms).
 *  3. Personalized MIME messages built per second on one core, 50-link issue.
 *  4. Send rate against a rate-limited SES endpoint, and peak memory of a 100,000-subscriber send
 *     (send-bench.ts). `--quick` skips the 100,000 run.
 *  5. The AWS functions: bundle sizes, cold import beside a bundle that compiles MJML at run time, and a local
 *     fan-out compose-issue → SQS → send-batch → SES for 10,000 subscribers (aws-bench.ts; 2,000 with --quick).
 *  5b. The functions as deployed: `cdk synth`, then one issue through the cdk.out bundles under their roles
 *     (tests/deployed/); the schedule tick to the first message SES accepted (goal ≤ 15 s), where the time goes,
 *     and requests per delivered message (deployed-bench.ts; 200 readers with --quick, else 1,000).
 *  6. The subscription API: subscription-api bundle and cold import; p99 latency and requests/s of POST /subscribe
 *     and of the one-click POST against `serve` on loopback, 8 clients (subscribe-bench.ts; 500 requests with --quick).
 *  6b. Readers' choices: renders per issue for readers spread over 50 section choices (goal: 50), the send's
 *     time, and the built CLI's peak memory sending to 100,000 of them (variants-bench.ts; 20,000 in process
 *     and no CLI run with --quick).
 *  7. The link check: 200 links on 40 loopback hosts, 4 of them slow; wall time against the time limit and the
 *     most requests in flight on one host (link-bench.ts; alone: `npx tsx tests/bench/link-bench.ts`).
 *  8. The archive: bytes of a 50-link issue page per link, and the time to rebuild the site of 500 issues
 *     (site-bench.ts; alone: `npx tsx tests/bench/site-bench.ts`).
 *  9. The CLI's start: `--help` and `subscribers add`, built and from the sources through tsx, on each Node
 *     here and through npx (startup-bench.ts; alone: `npx tsx tests/bench/startup-bench.ts`). Measured first,
 *     while nothing else of the bench is running.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTemplates } from '../../lambda/adapters/template-files';
import { composeIssue } from '../../lambda/core/compose';
import { mailBytes } from '../../lambda/core/line-endings';
import type { Bookmark, Subscriber } from '../../lambda/core/model';
import { buildMessage, type MessageContext, personalize, sampleUnsubscribeUrl } from '../../lambda/render/message';
import { createRenderer } from '../../lambda/render/renderer';
import { fixtureBookmarks, repeatedTo } from '../helpers/fixture-issues';
import { rawParts } from '../helpers/raw-mime';
import { awsBench } from './aws-bench';
import { deployedBench } from './deployed-bench';
import { linkBench } from './link-bench';
import { sendBench } from './send-bench';
import { siteBench } from './site-bench';
import { startupBench } from './startup-bench';
import { subscribeBench } from './subscribe-bench';
import { variantsBench } from './variants-bench';

const ROOT = path.resolve(__dirname, '../..');
const NOW = '2026-11-23T08:00:00.000Z';
const PLACEHOLDER = 'pdunsubbench000000000000';
const message: MessageContext = {
  from: 'Links I Found <digest@links.example.com>',
  listId: { name: 'Links I Found', id: 'links-i-found.links.example.com' },
  siteUrl: 'https://links.example.com',
  secret: 'bench-secret-bench-secret-bench-secret-0000',
};

/** Realistic links: the sample bookmarks (public, http) repeated with distinct URLs and times. */
const realistic = (count: number): Bookmark[] => repeatedTo(fixtureBookmarks('examples/bookmarks.json'), count);

/** The HTML-size issues: the same 50-link shape in three scripts. */
const LANGUAGES: [string, string][] = [
  ['English', 'examples/bookmarks.json'],
  ['Cyrillic', 'tests/fixtures/i18n/cyrillic.json'],
  ['CJK', 'tests/fixtures/i18n/cjk.json'],
];

function time<T>(fn: () => T, runs: number): { ms: number; result: T } {
  let result = fn();
  for (let i = 0; i < 3; i++) result = fn(); // warm
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) result = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6 / runs, result };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  const startup = process.argv.includes('--html') ? [] : await startupBench();
  const config = JSON.parse(readFileSync(path.join(ROOT, 'examples/digest.config.json'), 'utf8'));
  const render = createRenderer(await loadTemplates(), {
    title: config.title,
    intro: config.intro,
    footer: config.footer,
    siteUrl: config.siteUrl,
    lang: 'en',
    timeZone: 'UTC',
    profileUrl: 'https://pinboard.in/u:examplecurator/',
    tagUrl: (t) => `https://pinboard.in/u:examplecurator/t:${encodeURIComponent(t)}/`,
  });
  const compose = (bookmarks: Bookmark[], maxBookmarks = 50) =>
    composeIssue({
      bookmarks,
      issueNumber: 1,
      from: '2026-11-01T00:00:00.000Z',
      now: NOW,
      sentLinks: new Set(),
      options: {
        includeTags: [],
        excludeTags: ['nodigest'],
        includeToRead: false,
        minBookmarks: 1,
        maxBookmarks,
        maxHtmlBytes: 95_000,
        sections: config.sections,
        otherSectionTitle: 'Everything else',
      },
      render,
      placeholder: PLACEHOLDER,
      sampleUnsubscribeUrl: sampleUnsubscribeUrl(message),
    });
  const issueOf = (r: ReturnType<typeof compose>) => {
    if (r.kind !== 'issue') throw new Error(r.reason);
    return r;
  };

  // 1. Size.
  const one = issueOf(compose(realistic(1)));
  const fifty = issueOf(compose(realistic(50)));
  const total = fifty.report.htmlBytes;
  const perLink = (total - one.report.htmlBytes) / 49;
  const textBytes = Buffer.byteLength(fifty.record.rendered.text);
  const reader: Subscriber = {
    id: 'bench00000000000',
    email: 'reader@example.com',
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
  };
  const htmlRows: [string, string, string, string][] = [
    ['HTML bytes per link (50-link issue)', fmt(perLink), '≤ 1,200', fmt(1200 / perLink, 2)],
    ['HTML bytes in total (50 links)', fmt(total), '≤ 95,000', fmt(95_000 / total, 2)],
  ];
  for (const [language, file] of LANGUAGES) {
    const issue = issueOf(compose(repeatedTo(fixtureBookmarks(file), 50)));
    const decoded = mailBytes(personalize(issue.record, reader, message).html);
    const sent = await buildMessage(issue.record, reader, message, new Date(NOW));
    const part = rawParts(sent.raw).find((p) => p.contentType.startsWith('text/html'));
    const encoded = part?.body.length ?? 0;
    const links = issue.record.model.bookmarkCount;
    htmlRows.push([
      `HTML of a 50-link ${language} issue${links < 50 ? ` (${links} fit the budget)` : ''}, decoded → sent`,
      `${fmt(decoded)} → ${fmt(encoded)} B (${part?.transferEncoding}, ${fmt(encoded / decoded, 2)}×)`,
      'encoded ≤ 1.4 × decoded',
      fmt((1.4 * decoded) / encoded, 2),
    ]);
  }
  const w = [86, 46, 30, 8];
  const print = (r: string[]) => console.log(r.map((c, i) => c.padEnd(w[i] ?? 10)).join(''));
  if (process.argv.includes('--html')) {
    console.log(`pinboard-digest bench --html (Node ${process.version}): HTML size only\n`);
    print(['figure', 'value', 'goal', 'ratio']);
    for (const r of htmlRows) print(r);
    return;
  }

  // 2. Compose 200 bookmarks (50 go in; the rest carried), warm.
  const input200 = realistic(200);
  const composed = time(() => compose(input200), 50);
  const unbounded = time(() => compose(input200, 200), 20);

  // 3. Messages per second, one core.
  const subscriber = (i: number): Subscriber => ({
    id: `bench${String(i).padStart(11, '0')}`,
    email: `reader${i}@example.com`,
    name: `Reader ${i}`,
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
  });
  const record = fifty.record;
  for (let i = 0; i < 50; i++) await buildMessage(record, subscriber(i), message, new Date(NOW));
  const n = 1500;
  const start = process.hrtime.bigint();
  let rawBytes = 0;
  for (let i = 0; i < n; i++)
    rawBytes += (await buildMessage(record, subscriber(i), message, new Date(NOW))).raw.length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = n / seconds;
  const personalizeOnly = time(() => personalize(record, subscriber(1), message), 2000);

  const rows: [string, string, string, string][] = [
    ...htmlRows,
    ['plain-text part (50 links)', `${fmt(textBytes)} bytes`, '', ''],
    ['compose 200 bookmarks → 50-link issue, warm', `${fmt(composed.ms, 1)} ms`, '≤ 100 ms', fmt(100 / composed.ms, 1)],
    [
      'compose 200 bookmarks, all in (budget carries)',
      `${fmt(unbounded.ms, 1)} ms`,
      '≤ 100 ms',
      fmt(100 / unbounded.ms, 1),
    ],
    ['MIME messages built per second, one core', fmt(perSecond), '≥ 14/s (SES sandbox rate)', fmt(perSecond / 14, 0)],
    ['  average message size', `${fmt(rawBytes / n / 1024, 1)} KiB`, '', ''],
    ['  personalize body only', `${fmt(personalizeOnly.ms * 1000, 1)} µs`, '', ''],
  ];
  const carried = unbounded.result.kind === 'issue' ? unbounded.result.record.model.carriedOver : 0;
  const quick = process.argv.includes('--quick');
  console.log(`pinboard-digest bench (Node ${process.version})${quick ? ' --quick: no 100,000-subscriber run' : ''}\n`);
  print(['figure', 'value', 'goal', 'ratio']);
  for (const r of rows) print(r);
  console.log(`(all 200 in: the size budget kept ${200 - carried}, carried ${carried} to the next issue)\n`);
  for (const r of await sendBench(quick)) print([r.figure, r.value, r.goal, r.ratio]);
  for (const r of await awsBench(quick)) print([r.figure, r.value, r.goal, r.ratio]);
  for (const r of await deployedBench(quick)) print([r.figure, r.value, r.goal, r.ratio]);
  for (const r of await subscribeBench(quick)) print([r.figure, r.value, r.goal, r.ratio]);
  for (const r of await variantsBench(quick)) print([r.figure, r.value, r.goal, r.ratio]);
  for (const r of await linkBench()) print([r.figure, r.value, r.goal, r.ratio]);
  for (const r of await siteBench()) print([r.figure, r.value, r.goal, r.ratio]);
  for (const r of startup) print([r.figure, r.value, r.goal, r.ratio]);
  console.log('\nratio > 1 (or ≥ 0.95 for send rates) means the goal is met, with that much to spare.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
