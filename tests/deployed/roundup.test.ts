/**
 * The monthly round-up on the deployed functions (`cdk.out` bundles, the template's environment, every call
 * judged against the role's policy). The table holds issue #1, sent over a month ago, which the two monthly
 * readers were held from (as compose-issue and send-batch record it); the schedule's tick composes #2, the
 * first issue of this month, and the send queue's batches deliver it: the weekly reader gets #2, each monthly
 * reader one round-up of #1–#2 (one of them with the Science links only), nothing is denied.
 */
import { simpleParser } from 'mailparser';
import type { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import type { IssueRecord } from '../../lambda/core/model';
import { rawPost } from '../helpers/pinboard-posts';
import { type Deployment, startDeployment, synth } from './deployment';
import { DEPLOYED_CONFIG, operatorStore, PINBOARD_TOKEN } from './journey';

const CONFIG = { ...DEPLOYED_CONFIG, sections: [{ title: 'Science', tags: ['science'] }] };
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** Issue #1 as the store keeps one that went out 35 days ago (always another calendar month). */
function firstIssue(): IssueRecord {
  const link = (url: string, tag: string) => ({ url, title: url, note: '', tags: [tag], savedAt: ago(36) });
  return {
    issue: 1,
    status: 'composed',
    model: {
      issue: 1,
      subject: 'Links I Found #1: 2 links',
      preheader: '',
      window: { from: ago(42), to: ago(35) },
      sections: [
        { title: 'Science', bookmarks: [link('https://old.example/science', 'science')] },
        { title: 'Everything else', bookmarks: [link('https://old.example/web', 'web')] },
      ],
      bookmarkCount: 2,
      carriedOver: 0,
    },
    rendered: { subject: 'Links I Found #1: 2 links', preheader: '', html: '<p>#1</p>', text: '#1' },
    placeholder: 'pdunsubseeded',
    watermark: ago(36),
    links: ['https://old.example/science', 'https://old.example/web'],
    composedAt: ago(35),
  };
}

let d: Deployment;
let store: DynamoDbStore;
let closeStore: () => void;

beforeAll(async () => {
  const synthesized = await synth(CONFIG, { alarmEmail: 'author@links.example.com' });
  d = await startDeployment({
    cdkOut: synthesized.out,
    pinboardToken: PINBOARD_TOKEN,
    posts: [rawPost(3, 10, { tags: 'science' }), rawPost(2, 11, { tags: 'web' })],
  });
  ({ store, close: closeStore } = operatorStore(d));
  const readers = ['weekly@example.org', 'monthly@example.org', 'science@example.org'];
  await store.addSubscribers(
    readers.map((email) => ({ email, status: 'active' as const })),
    ago(50),
  );
  const id = async (email: string) => (await store.findSubscriber(email))?.id ?? '';
  await store.setSubscriberPrefs(await id('monthly@example.org'), { frequency: 'monthly' });
  await store.setSubscriberPrefs(await id('science@example.org'), { frequency: 'monthly', sections: ['Science'] });
  // Issue #1 went out: the weekly reader got it, the monthly ones were held for their round-up.
  await store.createIssue(firstIssue());
  await store.advanceIssue(1, 'composed', 'sending', ago(35));
  const entry = async (email: string, held: boolean) => {
    const subscriberId = await id(email);
    await store.claimDelivery(1, subscriberId, ago(35));
    await store.completeDelivery({
      issue: 1,
      subscriberId,
      at: ago(35),
      ...(held ? { state: 'omitted', omittedFor: 'round-up', reason: 'monthly' } : { state: 'sent' }),
    });
  };
  await entry('weekly@example.org', false);
  await entry('monthly@example.org', true);
  await entry('science@example.org', true);
  await store.advanceIssue(1, 'sending', 'sent', ago(35));
}, 240_000);

afterAll(async () => {
  closeStore?.();
  await d?.stop();
});

describe('the monthly round-up on the deployed functions', () => {
  it('the first issue of the month: each monthly reader one round-up of what waited, once; nothing denied', async () => {
    const tick = await d.tick<{ outcome: string; issue?: number; recipients?: number }>();
    expect(tick?.error).toBeUndefined();
    expect(tick?.result).toMatchObject({ outcome: 'enqueued', issue: 2, recipients: 3 });
    await d.drain('SendBatch');
    const to = (email: string) => d.ses.accepted.filter((m) => m.to.includes(email));
    for (const email of ['weekly@example.org', 'monthly@example.org', 'science@example.org']) {
      expect(to(email)).toHaveLength(1);
    }
    const parsed = async (email: string) => simpleParser(to(email)[0]?.raw as string);
    const links = (html: unknown) =>
      [...String(html).matchAll(/href="(https:\/\/(?:example\.com|old\.example)\/[a-z0-9]+)"/g)]
        .map((m) => m[1])
        .sort();

    const weekly = await parsed('weekly@example.org');
    expect(weekly.subject).toBe('Links I Found #2: 2 links');
    expect(links(weekly.html)).toEqual(['https://example.com/10', 'https://example.com/11']);

    const monthly = await parsed('monthly@example.org');
    expect(monthly.subject).toBe('Links I Found round-up #1–#2: 4 links');
    expect(links(monthly.html)).toEqual([
      'https://example.com/10',
      'https://example.com/11',
      'https://old.example/science',
      'https://old.example/web',
    ]);
    const science = await parsed('science@example.org');
    expect(science.subject).toBe('Links I Found round-up #1–#2: 2 links');
    expect(links(science.html)).toEqual(['https://example.com/10', 'https://old.example/science']);

    expect((await store.getIssue(2))?.status).toBe('sent');
    // Two round-ups (all sections; Science only), each rendered once and named in the ledger.
    const tally = await store.tallyShares(2);
    expect(tally.omitted).toEqual({});
    expect(tally.sent.whole).toBe(1);
    const roundups = Object.keys(tally.sent).filter((k) => k.startsWith('r-'));
    expect(roundups).toHaveLength(2);
    expect(d.front.decisions.filter((x) => !x.allowed)).toEqual([]);
  }, 180_000);
});
