/** Send batches: how an issue's recipients are cut into queue messages, and how a message is read back. */

/** One queue message: a batch of recipients of one issue. Ids, never addresses: a later unsubscribe holds. */
export interface SendBatch {
  issue: number;
  subscriberIds: string[];
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
  return { issue: value.issue as number, subscriberIds: value.subscriberIds };
}
