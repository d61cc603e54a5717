/**
 * The functions end to end, invoked with real-shaped events against dynalite, the rate-limited SES endpoint and
 * fauxqs (SQS): compose-issue on a schedule event → queue of batches → send-batch as Lambda's SQS event source
 * drives it (partial batch failures, redelivery, DLQ) → ses-events on SNS bounce and complaint notices.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SNSEvent } from 'aws-lambda';
import { handler as composeIssue } from '../../lambda/handlers/compose-issue';
import { handler as sendBatch } from '../../lambda/handlers/send-batch';
import { handler as sesEvents } from '../../lambda/handlers/ses-events';
import { awsDigestConfig, startLocalAws as start, type startLocalAws } from '../helpers/aws-local';
import { rawPost } from '../helpers/pinboard-posts';

const SUBSCRIBERS = 1000;
let aws: Awaited<ReturnType<typeof startLocalAws>>;
let bookmarks: string;

const scheduleEvent = { source: 'pinboard-digest.schedule' };

beforeAll(async () => {
  aws = await start({
    sesRate: 400,
    randomThrottle: 0.05,
    batchSize: 10,
    maxReceiveCount: 3,
    config: awsDigestConfig('Links I Found'),
  });
  bookmarks = path.join(aws.dir, 'bookmarks.json');
  writeFileSync(bookmarks, JSON.stringify(Array.from({ length: 8 }, (_, i) => rawPost(30 - i, i))));
  await aws.store().addSubscribers(
    Array.from({ length: SUBSCRIBERS }, (_, i) => ({ email: `r${i}@example.com`, status: 'active' as const })),
    new Date().toISOString(),
  );
}, 60_000);

afterAll(async () => {
  await aws?.stop();
});

const sesNotice = (type: 'Bounce' | 'Complaint', email: string): SNSEvent => ({
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:ses-events:1',
      Sns: {
        Type: 'Notification',
        MessageId: `${type}-${email}`,
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-events',
        Subject: '',
        Message: JSON.stringify(
          type === 'Bounce'
            ? {
                eventType: 'Bounce',
                bounce: {
                  bounceType: 'Permanent',
                  bounceSubType: 'General',
                  bouncedRecipients: [{ emailAddress: email, status: '5.1.1', action: 'failed' }],
                  timestamp: new Date().toISOString(),
                },
                mail: { timestamp: new Date().toISOString(), tags: { issue: ['1'] } },
              }
            : {
                eventType: 'Complaint',
                complaint: {
                  complainedRecipients: [{ emailAddress: email }],
                  complaintFeedbackType: 'abuse',
                  timestamp: new Date().toISOString(),
                },
                mail: { timestamp: new Date().toISOString(), tags: { issue: ['1'] } },
              },
        ),
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
        Signature: '',
        SigningCertUrl: '',
        UnsubscribeUrl: '',
        MessageAttributes: {},
      },
    },
  ],
});

describe('on AWS: compose-issue → SQS → send-batch → SES, and ses-events', () => {
  it('a scheduled compose, run twice, stores one issue and enqueues one set of batches', async () => {
    const first = await composeIssue(scheduleEvent as never);
    expect(first).toMatchObject({ outcome: 'enqueued', issue: 1, recipients: SUBSCRIBERS });
    const depth = await aws.depth(aws.queueUrl);
    expect(depth).toBe(SUBSCRIBERS / 50);
    // EventBridge can deliver the same event twice.
    const second = await composeIssue(scheduleEvent as never);
    expect(second).toMatchObject({ outcome: 'busy', issue: 1 });
    expect(await aws.depth(aws.queueUrl)).toBe(depth);
  }, 60_000);

  it('draining the queue through send-batch delivers each subscriber exactly once; a poisoned record ends in the DLQ', async () => {
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrl, MessageBody: '{"not":"a batch"}' }));
    const { invocations } = await aws.drain(sendBatch);
    const per = aws.ses.perRecipient();
    expect(per.size).toBe(SUBSCRIBERS);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    expect(aws.ses.counts.throttledAtRandom).toBeGreaterThan(0); // the retries were exercised
    expect(invocations).toBeGreaterThanOrEqual(SUBSCRIBERS / 50 / 10);
    // Every message carries the issue number as a message tag and the configuration set.
    expect(aws.ses.accepted.every((m) => m.tags.issue === '1' && m.configurationSet === 'digest-set')).toBe(true);
    // The poisoned record was received maxReceiveCount times, then moved to the DLQ.
    const dead = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.dlqUrl, MaxNumberOfMessages: 10 }));
    expect((dead.Messages ?? []).map((m) => m.Body)).toEqual(['{"not":"a batch"}']);
    // The last batch out found everyone served and marked the issue sent.
    expect((await aws.store().getIssue(1))?.status).toBe('sent');
  }, 120_000);

  it('a bounce and a complaint take addresses off the list for the next issue', async () => {
    // As deployed: ses-events is given no signing key unless SES receives unsubscribe replies (off here), and
    // its runtime is built at its first event.
    const signing = process.env.DIGEST_SIGNING_SECRET;
    delete process.env.DIGEST_SIGNING_SECRET;
    let bounced: Awaited<ReturnType<typeof sesEvents>>;
    try {
      bounced = await sesEvents(sesNotice('Bounce', 'r5@example.com'));
    } finally {
      process.env.DIGEST_SIGNING_SECRET = signing;
    }
    const complained = await sesEvents(sesNotice('Complaint', 'R6@example.com'));
    expect(bounced).toMatchObject({ suppressed: 1 });
    expect(complained).toMatchObject({ suppressed: 1 });
    expect((await aws.store().findSubscriber('r5@example.com'))?.status).toBe('bounced');
    expect((await aws.store().findSubscriber('r6@example.com'))?.status).toBe('complained');

    // New bookmarks, the next scheduled run, the queue drained.
    writeFileSync(bookmarks, JSON.stringify(Array.from({ length: 12 }, (_, i) => rawPost(20 - i, i))));
    const next = await composeIssue(scheduleEvent as never);
    expect(next).toMatchObject({ outcome: 'enqueued', issue: 2, recipients: SUBSCRIBERS - 2 });
    await aws.drain(sendBatch);
    const per = aws.ses.perRecipient();
    expect(per.get('r5@example.com')).toBe(1);
    expect(per.get('r6@example.com')).toBe(1);
    expect(per.get('r7@example.com')).toBe(2);
    expect([...per.values()].filter((n) => n === 2)).toHaveLength(SUBSCRIBERS - 2);
    expect((await aws.store().getIssue(2))?.status).toBe('sent');
  }, 120_000);
});
