/**
 * One issue's journey through a local deployment, as AWS would drive it: the schedule's tick to compose-issue
 * (a fresh environment: a cold start), then the send queue drained by the event source. Measures what the
 * README and `npm run bench` quote: the tick to the first message SES accepted, where that time goes, and the
 * table, queue and SES requests each delivered message cost. Used by tests/deployed/deployed.test.ts and
 * tests/bench/deployed-bench.ts, so the figure is the tested path's.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { type Deployment, type InvokeResult, PLACE } from './deployment';

/** A digest config that can run on Lambda: a Pinboard API source, SES, a schedule. */
export const DEPLOYED_CONFIG = {
  title: 'Links I Found',
  siteUrl: 'https://links.example.com',
  from: 'Links I Found <digest@links.example.com>',
  source: { type: 'pinboard-api', user: 'maciej' },
  transport: { type: 'ses' },
  schedule: { cron: '0 7 ? * SAT *', timezone: 'Europe/London' },
  // This machine has no network: checking example.com links would call every one of them dead.
  linkCheck: { enabled: false },
};
export const PINBOARD_TOKEN = 'maciej:0123456789ABCDEF0123';

/** The deployed table as the operator (not a function) sees it: to seed readers and read statuses. */
export function operatorStore(d: Deployment): { store: DynamoDbStore; close: () => void } {
  const [table] = d.assembly.resources('AWS::DynamoDB::GlobalTable');
  if (!table) throw new Error('no table in the templates');
  const client = new DynamoDBClient({
    region: PLACE.region,
    endpoint: d.dynamoUrl,
    credentials: { accessKeyId: 'operator', secretAccessKey: 'operator' },
  });
  return {
    store: new DynamoDbStore({ table: d.assembly.ref(table.stack, table.logicalId), client }),
    close: () => client.destroy(),
  };
}

export interface JourneyOptions {
  /** Called after compose-issue has enqueued and before the event source starts (to add records). */
  beforeDrain?: () => Promise<void>;
}

type Composed = { outcome: string; issue?: number; recipients?: number };

export interface Journey {
  composed: InvokeResult<Composed>;
  invocations: InvokeResult<SQSBatchResponse>[];
  /** Messages of the issue SES accepted, and when (performance.now() of this process). */
  accepted: { to: string[]; at: number }[];
  timings: {
    tickToFirstMessageMs: number;
    composeInitMs: number;
    composeRunMs: number;
    sendInitMs: number;
    /** The rest: the event source's first receive, the first batch's reads, claim and send. */
    firstBatchMs: number;
  };
  /** Requests the send fleet made (its own, and the event source's with its role), per delivered message. */
  perMessage: { dynamodb: number; sqs: number; ses: number };
  /** The same by operation (PutItem, BatchGetItem, SendRawEmail…), per delivered message. */
  perOperation: Record<string, number>;
}

export async function runIssue(d: Deployment, issue: number, options: JourneyOptions = {}): Promise<Journey> {
  const acceptedBefore = d.ses.accepted.length;
  const started = performance.now();
  const composed = await d.tick<Composed>();
  if (!composed) throw new Error('the schedule is DISABLED: no tick');
  if (composed.functionName !== 'ComposeIssue') throw new Error(`the schedule targets ${composed.functionName}`);
  const composedAt = performance.now();
  await options.beforeDrain?.();
  const sendStart = d.front.decisions.length;
  const invocations = await d.drain('SendBatch');
  const accepted = d.ses.accepted.slice(acceptedBefore).filter((m) => m.tags.issue === String(issue));
  const first = accepted.length > 0 ? Math.min(...accepted.map((m) => m.at)) : Number.NaN;
  const sendDecisions = d.front.decisions.slice(sendStart).filter((x) => x.caller === 'SendBatch');
  const requests = (service: string) =>
    new Set(sendDecisions.filter((x) => x.service === service).map((x) => x.request)).size;
  const per = (n: number) => Number((n / Math.max(1, accepted.length)).toFixed(2));
  const sendInitMs = invocations.find((i) => i.coldInitMs !== undefined)?.coldInitMs ?? 0;
  return {
    composed,
    invocations,
    accepted,
    timings: {
      tickToFirstMessageMs: Math.round(first - started),
      composeInitMs: Math.round(composed.coldInitMs ?? 0),
      composeRunMs: Math.round(composed.ms),
      sendInitMs: Math.round(sendInitMs),
      firstBatchMs: Math.round(first - composedAt - sendInitMs),
    },
    perMessage: { dynamodb: per(requests('dynamodb')), sqs: per(requests('sqs')), ses: per(requests('ses')) },
    perOperation: Object.fromEntries(
      [...new Set(sendDecisions.map((x) => x.operation))].map((op) => [
        op,
        per(new Set(sendDecisions.filter((x) => x.operation === op).map((x) => x.request)).size),
      ]),
    ),
  };
}
