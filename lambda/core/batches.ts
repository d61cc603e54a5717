/** Send batches: how an issue's recipients are cut into queue messages, and how a message is read back. */
import type { OmittedFor } from './model';

/** One queue message: a batch of recipients of one issue. Ids, never addresses: a later unsubscribe holds. */
export interface SendBatch {
  issue: number;
  subscriberIds: string[];
  /**
   * What some of them get instead of the whole issue, fixed when they were enqueued (a choice changed while
   * the issue goes out applies from the next one): a variant's or round-up's key (core/prefs.ts), or why they
   * get nothing (`for`: what the ledger records of it, core/model.ts `omittedFor`).
   */
  shares?: Record<string, { variant: string } | { omitted: string; for?: OmittedFor }>;
}

/** Cuts ids into batches of at most `size`, in order. */
export function toBatches(issue: number, subscriberIds: string[], size: number): SendBatch[] {
  const batches: SendBatch[] = [];
  for (let i = 0; i < subscriberIds.length; i += size) {
    batches.push({ issue, subscriberIds: subscriberIds.slice(i, i + size) });
  }
  return batches;
}

/** Parses a queue message body back into a batch; anything else is a poisoned message. */
export function parseSendBatch(body: string): SendBatch {
  const value = JSON.parse(body) as Partial<SendBatch>;
  if (
    !value ||
    !Number.isInteger(value.issue) ||
    !Array.isArray(value.subscriberIds) ||
    !value.subscriberIds.every((id) => typeof id === 'string' && id.length > 0)
  ) {
    throw new SyntaxError('not a send batch ({ issue, subscriberIds })');
  }
  const shares = value.shares;
  if (shares !== undefined) {
    const valid =
      typeof shares === 'object' &&
      shares !== null &&
      Object.values(shares).every(
        (s) =>
          typeof s === 'object' &&
          s !== null &&
          (typeof (s as { variant?: unknown }).variant === 'string' ||
            typeof (s as { omitted?: unknown }).omitted === 'string'),
      );
    if (!valid) throw new SyntaxError('not a send batch: its shares are not variants or omissions');
  }
  return { issue: value.issue as number, subscriberIds: value.subscriberIds, ...(shares ? { shares } : {}) };
}
