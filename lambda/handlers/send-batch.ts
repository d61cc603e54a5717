/**
 * Lambda, on the SQS send queue: deliver each record's batch; report the records that must come back. An
 * event with no records (`pinboard-digest smoke`) sends nothing and touches nothing.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { maskAddressesIn } from '../core/email';
import type { IssueRecord } from '../core/model';
import { consumeBatches } from '../jobs/consume-issue';
import { sizeForRate } from '../jobs/worker-pool';
import { METRICS } from '../metrics';
import { logger, metrics, runtimeOnce } from './runtime';

// The signing key only (each message's unsubscribe token): the role may not read the Pinboard token.
const runtime = runtimeOnce('signing');
/** Issues read once per container. */
const issues = new Map<number, IssueRecord>();
/** Stop starting sends this long before the function's timeout, so those in flight are recorded. */
const SAFETY_MS = 30_000;

export async function handler(
  event: SQSEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<SQSBatchResponse> {
  const { app, queue, metricsNamespace } = await runtime();
  const transport = await app.transport();
  // The event source never sends an empty batch: this is `pinboard-digest smoke`. Nothing to deliver, and no
  // settle either (that reads the table and may finish an issue): the cold start and the pace are what it proves.
  if ((event.Records ?? []).length === 0) {
    logger.info(`smoke: an empty batch, nothing sent (SES pace ${transport.rate ?? 'unpaced'}/s)`);
    return { batchItemFailures: [] };
  }
  const stop = new AbortController();
  const left = context?.getRemainingTimeInMillis?.() ?? 900_000;
  const timer = setTimeout(() => stop.abort(), Math.max(0, left - SAFETY_MS));
  let throttled = 0;
  try {
    const result = await consumeBatches(
      (event.Records ?? []).map((r) => ({ id: r.messageId, body: r.body })),
      {
        store: app.store,
        queue,
        mailer: transport.mailer,
        message: app.message(),
        now: () => new Date(),
        pool: sizeForRate(transport.concurrency, transport.rate),
        acquire: transport.acquire,
        refund: transport.refund,
        signal: stop.signal,
        issues,
        quota: () => app.quota(),
        onRetry: () => {
          throttled++;
        },
        log: (line, fields) => logger.warn(line, fields ?? {}),
      },
    );
    for (const r of result.results) {
      logger.info(`issue #${r.issue}: batch sent`, {
        issue: r.issue,
        ...r.counts,
        stoppedBy: r.stoppedBy,
        // The CLI's summary names refused addresses for the author; a log line masks them.
        errors: r.errors.map(maskAddressesIn),
      });
    }
    // Every way a batch can fall short of its readers is counted, so an alarm can say so (infra/monitoring.ts).
    const sum = (pick: (r: (typeof result.results)[number]) => number) =>
      result.results.reduce((total, r) => total + pick(r), 0);
    metrics(metricsNamespace, {
      [METRICS.sent]: sum((r) => r.counts.sent),
      [METRICS.refused]: sum((r) => r.counts.refused),
      [METRICS.unsent]: sum((r) => r.unsent.length),
      [METRICS.throttled]: throttled,
      ...(result.quota ? { [METRICS.quotaUsedRatio]: result.quota.usedRatio } : {}),
    });
    for (const issue of result.finished) logger.info(`issue #${issue} delivered to every active subscriber`, { issue });
    return { batchItemFailures: result.failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
  } finally {
    clearTimeout(timer);
  }
}
