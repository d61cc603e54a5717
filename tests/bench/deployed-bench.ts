/**
 * Figures of the functions as deployed, for `npm run bench`: `cdk synth`, then one issue through the cdk.out
 * bundles under their roles (tests/deployed/: fresh Node 24 processes, the template's environment, every call
 * judged by an IAM evaluator in front of the emulators). Measures the schedule tick to the first message the SES
 * endpoint accepted, cold starts included (goal ≤ 15 s), where that time goes, and the table, queue and SES
 * requests per delivered message. Alone: `npx tsx tests/bench/deployed-bench.ts`.
 */
import { startDeployment, synth } from '../deployed/deployment';
import { DEPLOYED_CONFIG, operatorStore, PINBOARD_TOKEN, runIssue } from '../deployed/journey';
import { rawPost } from '../helpers/pinboard-posts';
import type { Row } from './send-bench';

const GOAL_MS = 15_000;

export async function deployedBench(quick = false): Promise<Row[]> {
  const readers = quick ? 200 : 1_000;
  const { out } = await synth(DEPLOYED_CONFIG, { alarmEmail: 'author@links.example.com' });
  const d = await startDeployment({
    cdkOut: out,
    pinboardToken: PINBOARD_TOKEN,
    posts: Array.from({ length: 30 }, (_, i) => rawPost(40 - i, i, { tags: i % 3 ? 'web' : 'science' })),
    // Fast enough that the fleet's pacing, not the endpoint, sets the pace.
    ses: { maxSendRate: 1_000, keepRaw: false },
  });
  const { store, close } = operatorStore(d);
  try {
    await store.addSubscribers(
      Array.from({ length: readers }, (_, i) => ({ email: `reader${i}@example.org`, status: 'active' as const })),
      new Date().toISOString(),
    );
    const started = Date.now();
    const j = await runIssue(d, 1);
    const wallS = (Date.now() - started) / 1000;
    const denied = d.front.decisions.filter((x) => !x.allowed).length;
    const t = j.timings;
    return [
      {
        figure: 'deployed: schedule tick → first message accepted by SES',
        value: `${(t.tickToFirstMessageMs / 1000).toFixed(2)} s`,
        goal: '≤ 15 s',
        ratio: (GOAL_MS / t.tickToFirstMessageMs).toFixed(1),
      },
      {
        figure: '  of it: compose-issue cold start (init + run, Pinboard 3 s spacing)',
        value: `${t.composeInitMs} + ${t.composeRunMs} ms`,
        goal: '',
        ratio: '',
      },
      {
        figure: '  of it: send-batch cold start + first batch (poll, reads, claim, send)',
        value: `${t.sendInitMs} + ${t.firstBatchMs} ms`,
        goal: '',
        ratio: '',
      },
      {
        figure: `deployed: ${readers.toLocaleString('en')} readers delivered (0 denied), whole issue`,
        value: `${j.accepted.length.toLocaleString('en')} in ${wallS.toFixed(1)} s, ${denied} denied`,
        goal: `${readers.toLocaleString('en')}, 0 denied`,
        ratio: j.accepted.length === readers && denied === 0 ? 'ok' : 'MISSED',
      },
      {
        figure: 'deployed: requests per delivered message (table, queue, SES)',
        value: `${j.perMessage.dynamodb} / ${j.perMessage.sqs} / ${j.perMessage.ses}`,
        goal: '',
        ratio: '',
      },
      {
        figure: '  by operation',
        value: Object.entries(j.perOperation)
          .map(([op, n]) => `${op} ${n}`)
          .join(', '),
        goal: '',
        ratio: '',
      },
    ];
  } finally {
    close();
    await d.stop();
  }
}

if (require.main === module) {
  deployedBench(process.argv.includes('--quick'))
    .then((rows) => {
      for (const r of rows) console.log(`${r.figure.padEnd(74)}${r.value.padEnd(26)}${r.goal.padEnd(18)}${r.ratio}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
