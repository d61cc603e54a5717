/**
 * Readers' choices at scale: 100,000 readers (20,000 with --quick) spread over 50 distinct section choices of
 * a 6-section, 30-link issue, sent by the path `send` takes (cli/deliver.ts: produceIssue onto the in-process
 * queue, the consumer draining it) to a mailer that accepts at once. Figures: renders per issue (goal: one per
 * distinct choice, 50, not one per reader), the time to compose and enqueue, and the peak memory (VmHWM) of
 * built CLI's `send` to an SES endpoint at 100,000 (goal ≤ 150 MB, as for a send without choices). Alone:
 * `npx tsx tests/bench/variants-bench.ts [--quick]`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../lambda/adapters/file-store';
import { InProcessQueue } from '../../lambda/adapters/in-process-queue';
import { deliverInProcess } from '../../lambda/cli/deliver';
import type { RenderIssue } from '../../lambda/core/compose';
import { RECIPIENTS_PER_MESSAGE } from '../../lambda/core/fleet';
import { newSubscriberId } from '../../lambda/core/tokens';
import { emptyProgress } from '../../lambda/jobs/consume-issue';
import { sizeForRate } from '../../lambda/jobs/worker-pool';
import type { Mailer } from '../../lambda/ports/mailer';
import { bookmark, composeOptions, messageContext, shippedRenderer } from '../helpers/factories';
import { memoryRun, type Row } from './send-bench';

const SECTIONS = ['Science', 'Web', 'Books', 'Music', 'Food', 'Travel'];
const AT = '2026-11-23T12:00:00.000Z';

/** 50 distinct choices: the non-empty proper subsets of the 6 sections, the first 50 of them. */
const CHOICES = Array.from({ length: 62 }, (_, i) => SECTIONS.filter((_, bit) => ((i + 1) >> bit) & 1)).slice(0, 50);

const vmHwmMb = () => {
  const line = readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return line ? Number(line[1]) / 1024 : Number.NaN;
};

/**
 * Renders and time in this process (a mailer that accepts at once), then, at 100,000, the peak memory of the
 * built CLI's `send` to an SES endpoint with those choices, beside the same send without them (send-bench.ts).
 */
export async function variantsBench(quick: boolean): Promise<Row[]> {
  const rows = await inProcess(quick);
  if (!quick) {
    const [choices, none] = [await memoryRun(100_000, false, CHOICES), await memoryRun(100_000)];
    rows.push({
      figure: 'variants: peak memory (VmHWM) of `send` to 100,000 readers over 50 choices, SES endpoint',
      value: `${choices.peakMb.toFixed(0)} MB (${none.peakMb.toFixed(0)} MB without choices), ${choices.lost} lost, ${choices.dupes} dup`,
      goal: '≤ 150 MB',
      ratio: (150 / choices.peakMb).toFixed(2),
    });
  }
  return rows;
}

async function inProcess(quick: boolean, options: { baseline?: boolean } = {}): Promise<Row[]> {
  const readers = quick ? 20_000 : 100_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'pd-variants-bench-'));
  // The list as the file store keeps it, each reader with one of the 50 choices (written at once: the bench
  // measures the send, not 100,000 preference changes).
  const lines = Array.from({ length: readers }, (_, i) =>
    JSON.stringify({
      id: newSubscriberId(),
      email: `r${i}@example.com`,
      status: 'active',
      createdAt: AT,
      updatedAt: AT,
      ...(options.baseline ? {} : { prefs: { sections: CHOICES[i % CHOICES.length] } }),
    }),
  );
  writeFileSync(path.join(dir, 'subscribers.jsonl'), `${lines.join('\n')}\n`);
  const store = new FileStore(dir);
  const shipped = await shippedRenderer();
  let renders = 0;
  const render: RenderIssue = (model, unsubscribe) => {
    renders++;
    return shipped(model, unsubscribe);
  };
  const bookmarks = SECTIONS.flatMap((s, si) =>
    Array.from({ length: 5 }, (_, i) =>
      bookmark({
        url: `https://example.com/${s.toLowerCase()}/${i}`,
        tags: [s.toLowerCase()],
        savedAt: new Date(Date.UTC(2026, 10, 22, si, i)).toISOString(),
      }),
    ),
  );
  const accept: Mailer = { description: 'accepts at once', send: async () => ({ messageId: 'm' }) };
  const started = process.hrtime.bigint();
  let producedMs = 0;
  let rendersAtCompose = 0;
  const progress = emptyProgress();
  await deliverInProcess({
    queue: new InProcessQueue(),
    produce: {
      compose: {
        sources: [
          {
            id: 'list',
            source: { description: 'list', fetchSince: async () => ({ bookmarks, unchanged: false, warnings: [] }) },
          },
        ],
        store,
        render,
        options: {
          ...composeOptions({ sections: SECTIONS.map((title) => ({ title, tags: [title.toLowerCase()] })) }),
          firstIssueDays: 7,
        },
        placeholder: 'pdunsubbenchplaceholder0',
        sampleUnsubscribeUrl: 'https://links.example.com/unsubscribe?token=x',
      },
      store,
      recipientsPerMessage: RECIPIENTS_PER_MESSAGE,
      now: () => new Date(AT),
    },
    progress,
    consumer: async () => {
      rendersAtCompose = renders;
      return {
        mailer: accept,
        message: messageContext(),
        now: () => new Date(AT),
        pool: sizeForRate(8),
      };
    },
  });
  producedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const variantRenders = renders - rendersAtCompose;
  const peak = vmHwmMb();
  return [
    {
      figure: `variants: renders for ${readers.toLocaleString('en')} readers over ${CHOICES.length} choices`,
      value: `${variantRenders} (+${rendersAtCompose} to compose)`,
      goal: `${CHOICES.length} (one per choice)`,
      ratio: (CHOICES.length / Math.max(1, variantRenders)).toFixed(2),
    },
    {
      figure: `variants: the whole send (compose, enqueue, ${progress.sent.toLocaleString('en')} messages built)`,
      value: `${(producedMs / 1000).toFixed(1)} s`,
      goal: '',
      ratio: '',
    },
    {
      figure: '  its peak memory in this process (tsx, MJML compiled here; compare the CLI row)',
      value: `${peak.toFixed(0)} MB`,
      goal: '',
      ratio: '',
    },
  ];
}

if (require.main === module) {
  variantsBench(process.argv.includes('--quick'))
    .then((rows) => {
      for (const r of rows) console.log([r.figure, r.value, r.goal, r.ratio].join(' | '));
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
