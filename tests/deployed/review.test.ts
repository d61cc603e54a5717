/**
 * The author's review on the deployed functions (`cdk.out` bundles, the template's environment, every call
 * judged against the role's policy): the draft schedule's tick drafts and mails the preflight through SES,
 * the preflight's Approve link goes through subscription-api (a GET that changes nothing, then the POST, which
 * has compose-issue act), and the issue's schedule tick, the deadline, delivers the approved draft to every
 * reader once.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import type { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { COMPOSE_EVENTS } from '../../lambda/core/review';
import { rawPost } from '../helpers/pinboard-posts';
import { type Deployment, startDeployment, synth } from './deployment';
import { DEPLOYED_CONFIG, operatorStore, PINBOARD_TOKEN } from './journey';
import { apiEvent, snsEvent } from './operations';

const AUTHOR = 'author@links.example.com';
// 168 hours: whatever the weekday the test runs on, the next Saturday's send is within the lead.
const REPLIES = 'replies@links.example.com';
const REVIEW_CONFIG = {
  ...DEPLOYED_CONFIG,
  review: { mode: 'approve', leadHours: 168, to: AUTHOR },
  sections: [{ title: 'Science', tags: ['science'] }],
  // SES receives replies: the preflight's Reply-To, and the reply door to the note.
  subscriptions: { mailtoUnsubscribe: true, mailtoAddress: REPLIES, receiveReplies: true },
};
const READERS = 5;

let d: Deployment;
let store: DynamoDbStore;
let closeStore: () => void;

beforeAll(async () => {
  const synthesized = await synth(REVIEW_CONFIG, { alarmEmail: AUTHOR });
  d = await startDeployment({
    cdkOut: synthesized.out,
    pinboardToken: PINBOARD_TOKEN,
    posts: Array.from({ length: 4 }, (_, i) => rawPost(10 - i, i, { tags: i % 2 ? 'web' : 'science' })),
  });
  ({ store, close: closeStore } = operatorStore(d));
  await store.addSubscribers(
    Array.from({ length: READERS }, (_, i) => ({ email: `reader${i}@example.org`, status: 'active' as const })),
    new Date().toISOString(),
  );
  // Readers' own choices: one takes Science only, one is paused.
  const picky = await store.findSubscriber('reader1@example.org');
  const away = await store.findSubscriber('reader2@example.org');
  await store.setSubscriberPrefs(picky?.id ?? '', { sections: ['Science'] });
  await store.setSubscriberPrefs(away?.id ?? '', { pausedUntil: new Date(Date.now() + 28 * 86_400_000).toISOString() });
}, 240_000);

afterAll(async () => {
  closeStore?.();
  await d?.stop();
});

describe('review on the deployed functions', () => {
  it('draft tick → preflight → approve by the link → deadline → every reader once, nothing denied', async () => {
    // The deadline before any draft, in approve mode: nothing.
    const early = await d.tick<{ outcome: string }>();
    expect(early?.error).toBeUndefined();
    expect(early?.result).toMatchObject({ outcome: 'nothing' });

    const drafted = await d.tick<{ outcome: string; issue?: number }>(COMPOSE_EVENTS.draft);
    expect(drafted?.error).toBeUndefined();
    expect(drafted?.result).toMatchObject({ outcome: 'draft-drafted', issue: 1 });
    // A duplicated tick composes nothing more.
    expect((await d.tick<{ outcome: string }>(COMPOSE_EVENTS.draft))?.result).toMatchObject({
      outcome: 'draft-exists',
    });

    const preflights = d.ses.accepted.filter((m) => m.to.includes(AUTHOR));
    expect(preflights).toHaveLength(1);
    expect(d.ses.accepted.filter((m) => m.to.some((t) => t.startsWith('reader')))).toEqual([]);
    const preflight = await simpleParser(preflights[0]?.raw as string);
    expect(preflight.subject).toMatch(/^Preflight: /);
    const approve = /https:\/\/links\.example\.com\/review\/approve\?t=[A-Za-z0-9._-]+/.exec(preflight.text ?? '')?.[0];
    expect(approve).toBeDefined();

    // The author replies with a note: SES receives it (the receipt rule's SNS action) and ses-events has
    // compose-issue set it; a reply from anyone else changes nothing.
    const ref = /\[ref:([A-Za-z0-9._-]+)\]/.exec(preflight.subject ?? '')?.[1];
    expect(ref).toBeDefined();
    expect(preflight.replyTo?.text).toContain(REPLIES);
    const reply = (from: string) => ({
      notificationType: 'Received',
      mail: {
        timestamp: new Date().toISOString(),
        source: from,
        destination: [REPLIES],
        commonHeaders: { from: [`Author <${from}>`], to: [REPLIES], subject: `Re: ${preflight.subject}` },
      },
      receipt: {
        timestamp: new Date().toISOString(),
        recipients: [REPLIES],
        spfVerdict: { status: 'PASS' },
        dkimVerdict: { status: 'PASS' },
        virusVerdict: { status: 'PASS' },
        action: { type: 'SNS', encoding: 'UTF8' },
      },
      content: `From: ${from}\r\nSubject: Re: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nA *quiet* week.\r\n\r\nOn Fri, 4 Dec 2026, Links <d@x.com> wrote:\r\n> old\r\n`,
    });
    const stranger = await d
      .container('SesEvents')
      .invoke<{ notes: number; refusedNotes: number }>(snsEvent(reply('x@example.net')));
    expect(stranger.result).toMatchObject({ notes: 0, refusedNotes: 1 });
    const noted = await d
      .container('SesEvents')
      .invoke<{ notes: number; refusedNotes: number }>(snsEvent(reply(AUTHOR)));
    expect(noted.error).toBeUndefined();
    expect(noted.result).toMatchObject({ notes: 1, refusedNotes: 0 });
    expect(d.ses.accepted.filter((m) => m.to.includes(AUTHOR))).toHaveLength(2); // a fresh preflight

    const api = d.container('SubscriptionApi');
    const page = await api.invoke<APIGatewayProxyStructuredResultV2>(apiEvent('GET', approve as string));
    expect(page.error).toBeUndefined();
    expect(page.result?.statusCode).toBe(200);
    expect(String(page.result?.body)).toMatch(/<form[^>]+method="post"/i);
    expect(await store.listIssues()).toEqual([]);

    const token = new URL(approve as string).searchParams.get('t') ?? '';
    const approved = await api.invoke<APIGatewayProxyStructuredResultV2>(
      apiEvent('POST', '/review/approve', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `t=${encodeURIComponent(token)}`,
      }),
    );
    expect(approved.error).toBeUndefined();
    expect(approved.result?.statusCode).toBe(200);
    expect(String(approved.result?.body)).toMatch(/Approved\. Issue #1 goes out/);

    const deadline = await d.tick<{ outcome: string; issue?: number; recipients?: number }>();
    expect(deadline?.result).toMatchObject({ outcome: 'enqueued', issue: 1, recipients: READERS });
    await d.drain('SendBatch');
    const perReader = new Map<string, number>();
    for (const m of d.ses.accepted.filter((x) => x.tags.issue === '1' && !x.to.includes(AUTHOR))) {
      for (const t of m.to) perReader.set(t, (perReader.get(t) ?? 0) + 1);
    }
    // Every reader once, but the paused one; the one who chose Science has the Science links only.
    expect(perReader.size).toBe(READERS - 1);
    expect(perReader.has('reader2@example.org')).toBe(false);
    expect([...perReader.values()].every((n) => n === 1)).toBe(true);
    const picky = d.ses.accepted.find((m) => m.to.includes('reader1@example.org'));
    const pickyHtml = String((await simpleParser(picky?.raw as string)).html);
    expect(pickyHtml).toContain('https://example.com/0');
    expect(pickyHtml).toContain('https://example.com/2');
    expect(pickyHtml).not.toContain('https://example.com/1"');
    const away = await store.findSubscriber('reader2@example.org');
    expect((await store.getDelivery(1, away?.id ?? ''))?.state).toBe('omitted');
    expect((await store.getIssue(1))?.status).toBe('sent');
    // The issue is the draft the author approved: the same subject.
    const sent = d.ses.accepted.find((m) => m.to.includes('reader0@example.org'));
    expect((await simpleParser(sent?.raw as string)).subject).toBe(
      preflight.subject?.replace(/^Preflight: (.*) \(goes out .*$/, '$1'),
    );

    // The note went out with the issue.
    expect((await simpleParser(sent?.raw as string)).html).toContain('A <em>quiet</em> week.');
    // subscription-api asked compose-issue (its only Lambda call); nothing any function did was denied.
    const denied = d.front.decisions.filter((x) => !x.allowed);
    expect(denied).toEqual([]);
    const apiLambdaCalls = d.front.decisions.filter((x) => x.caller === 'SubscriptionApi' && x.service === 'lambda');
    expect(new Set(apiLambdaCalls.map((x) => x.action))).toEqual(new Set(['lambda:InvokeFunction']));
  }, 180_000);
});
