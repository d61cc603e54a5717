/** Lambda, on the SQS send queue: deliver each record's batch; report the records that must come back. */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { IssueRecord } from '../core/model';
import { sendQueued } from '../jobs/send-queued';
import { sizeForRate } from '../jobs/worker-pool';
import { sesQuota } from '../wiring';
import { logger, metric, runtimeOnce } from './runtime';

const runtime = runtimeOnce();
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
  const stop = new AbortController();
  const left = context?.getRemainingTimeInMillis?.() ?? 900_000;
  const timer = setTimeout(() => stop.abort(), Math.max(0, left - SAFETY_MS));
  try {
    const result = await sendQueued(
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
        quota: () => sesQuota(app),
        log: (line, fields) => logger.warn(line, fields ?? {}),
      },
    );
    for (const r of result.results) {
      logger.info(`issue #${r.issue}: batch sent`, {
        issue: r.issue,
        ...r.counts,
        stoppedBy: r.stoppedBy,
        errors: r.errors,
      });
    }
    if (result.quota) {
      metric(metricsNamespace, 'QuotaUsedRatio', result.quota.usedRatio);
    }
    for (const issue of result.finished) logger.info(`issue #${issue} delivered to every active subscriber`, { issue });
    return { batchItemFailures: result.failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
  } finally {
    clearTimeout(timer);
  }
}
