/** A store with subscribers and a stored issue, ready for delivery tests against SES endpoints. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SESClient } from '@aws-sdk/client-ses';
import { FileStore } from '../../lambda/adapters/file-store';
import { InProcessQueue } from '../../lambda/adapters/in-process-queue';
import { SesMailer } from '../../lambda/adapters/ses-mailer';
import { deliverInProcess, deliverySummary } from '../../lambda/cli/deliver';
import { composeIssue } from '../../lambda/core/compose';
import { RECIPIENTS_PER_MESSAGE } from '../../lambda/core/fleet';
import type { IssueRecord } from '../../lambda/core/model';
import { concurrencyFor, createRateLimiter } from '../../lambda/core/rate-limiter';
import type { RetryPolicy } from '../../lambda/core/retry';
import type { ComposeNextDeps } from '../../lambda/jobs/compose-next';
import { emptyProgress } from '../../lambda/jobs/consume-issue';
import { sizeForRate } from '../../lambda/jobs/worker-pool';
import type { Store } from '../../lambda/ports/store';
import type { MessageContext } from '../../lambda/render/message';
import { bookmark, composeOptions, PLACEHOLDER, SECRET, shippedRenderer } from './factories';

export const MESSAGE: MessageContext = {
  from: 'Links <digest@links.example.com>',
  replyTo: 'me@links.example.com',
  listId: { name: 'Links', id: 'links.links.example.com' },
  siteUrl: 'https://links.example.com',
  secret: SECRET,
  mailtoUnsubscribe: true,
};

/** An SES v1 client for a local endpoint: fake credentials, no SDK retries (ours decide). */
export function localSesClient(endpoint: string, requestTimeout = 5000): SESClient {
  return new SESClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: { requestTimeout, connectionTimeout: 2000 },
  });
}

export async function composedRecord(links = 5): Promise<IssueRecord> {
  const result = composeIssue({
    bookmarks: Array.from({ length: links }, (_, i) =>
      bookmark({
        url: `https://example.com/article-${i}`,
        title: `Article ${i}`,
        savedAt: new Date(Date.UTC(2026, 10, 20, 0, i)).toISOString(),
      }),
    ),
    issueNumber: 1,
    from: '2026-11-16T00:00:00.000Z',
    now: '2026-11-23T00:00:00.000Z',
    sentLinks: new Set(),
    options: composeOptions(),
    render: await shippedRenderer(),
    placeholder: PLACEHOLDER,
    sampleUnsubscribeUrl: 'https://links.example.com/unsubscribe?token=x',
  });
  if (result.kind !== 'issue') throw new Error(result.reason);
  return result.record;
}

/** A file store with `count` active subscribers (r0@example.com …) and issue 1 composed. */
export async function storeWithIssue(count: number, dir = mkdtempSync(path.join(tmpdir(), 'pd-ses-'))) {
  const store = new FileStore(dir);
  await store.addSubscribers(
    Array.from({ length: count }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
    '2026-11-23T00:00:00.000Z',
  );
  const record = await composedRecord();
  await store.createIssue(record);
  return { store, record, dir };
}

/**
 * Compose deps for a store that holds an unfinished issue: the producer resumes it as stored, so no source is
 * read and nothing is rendered (either would throw).
 */
export function resumeOnly(store: Store): ComposeNextDeps {
  const never = (what: string) => () => {
    throw new Error(`${what}: the stored issue should have been resumed`);
  };
  return {
    sources: [{ id: 'none', source: { description: 'none', fetchSince: never('fetchSince') } }],
    store,
    render: never('render'),
    options: { ...composeOptions(), firstIssueDays: 7 },
    placeholder: PLACEHOLDER,
    sampleUnsubscribeUrl: 'https://links.example.com/unsubscribe?token=x',
  };
}

/**
 * Delivers the stored unfinished issue through SES at `url`, paced at `rate`, by the path `send` takes
 * (cli/deliver.ts: the producer resumes it onto the in-process queue, the consumer drains and settles it).
 */
export async function deliverPaced(
  url: string,
  store: Store,
  rate: number,
  options: { configurationSet?: string; retry?: RetryPolicy } = {},
) {
  const limiter = createRateLimiter(rate);
  const progress = emptyProgress();
  const started = Date.now();
  const { record, drained } = await deliverInProcess({
    queue: new InProcessQueue(),
    produce: { compose: resumeOnly(store), store, recipientsPerMessage: RECIPIENTS_PER_MESSAGE, now: () => new Date() },
    progress,
    consumer: async () => ({
      mailer: new SesMailer({ client: localSesClient(url), configurationSet: options.configurationSet }),
      message: MESSAGE,
      now: () => new Date(),
      pool: sizeForRate(concurrencyFor(rate), rate),
      acquire: () => limiter.acquire(),
      refund: () => limiter.refund(),
      ...(options.retry ? { retry: options.retry } : {}),
    }),
  });
  if (!record || !drained) throw new Error('the store held no unfinished issue to deliver');
  return deliverySummary(record.issue, progress, drained, Date.now() - started);
}

/** Environment for a CLI run against local SES: endpoint, fake credentials, a signing key. */
export function sesEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL_SES: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    DIGEST_SIGNING_SECRET: SECRET,
  };
}
