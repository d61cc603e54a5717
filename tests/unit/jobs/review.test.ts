/**
 * The review job over a file store, a list source and a recording mailer, with a clock the test moves: one
 * draft per send, the deadline's decisions through produceIssue (auto, approve, held, duplicated), a late
 * approval, the note's budget, and the links' checks.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import type { RenderIssue } from '../../../lambda/core/compose';
import type { Bookmark, IssueRecord } from '../../../lambda/core/model';
import { reviewSubject } from '../../../lambda/core/review';
import { parseSesNotification } from '../../../lambda/core/ses-events';
import { createToken } from '../../../lambda/core/tokens';
import { type ProduceDeps, produceIssue } from '../../../lambda/jobs/produce-issue';
import { recordSesEvents } from '../../../lambda/jobs/record-ses-events';
import {
  approveDraft,
  composeDraft,
  currentDraft,
  draftFileOf,
  holdDraft,
  noteDraft,
  type ReviewDeps,
  ReviewError,
  replyRef,
  reviewLinks,
} from '../../../lambda/jobs/review';
import { actOnReviewLink, checkReviewLink, linkDepsOf } from '../../../lambda/jobs/review-links';
import type { BookmarkSource } from '../../../lambda/ports/bookmark-source';
import type { ReviewActions } from '../../../lambda/ports/review';
import { bookmark, composeOptions } from '../../helpers/factories';
import { FakeMailer } from '../../helpers/fake-mailer';
import { RecordingQueue } from '../../helpers/recording-queue';

const SECRET = 'k'.repeat(40);
const AUTHOR = 'author@example.org';
// Saturdays at 07:00 in London; 2026-11-28 is a Saturday (GMT, so 07:00Z).
const SCHEDULE = { cron: '0 7 ? * SAT *', timezone: 'Europe/London' };
const FRIDAY = new Date('2026-11-27T07:00:00.000Z');
const SEND_AT = '2026-11-28T07:00:00.000Z';

class ListSource implements BookmarkSource {
  readonly description = 'list';
  constructor(public bookmarks: Bookmark[]) {}
  async fetchSince() {
    return { bookmarks: this.bookmarks, unchanged: false, warnings: [] };
  }
}

// A renderer whose size follows the note, so the budget can be tested.
const render: RenderIssue = (model, unsubscribe) => ({
  subject: `Links #${model.issue}`,
  preheader: 'p',
  html: `<html><body><p>${model.editorNote ?? ''}</p>${model.sections.flatMap((s) => s.bookmarks.map((b) => `<a href="${b.url}">${b.title}</a>`)).join('')}<a href="${unsubscribe}">u</a></body></html>`,
  text: `${model.editorNote ?? ''}\n${model.sections.flatMap((s) => s.bookmarks.map((b) => b.title)).join('\n')}`,
});

async function setup(mode: 'auto' | 'approve', options: { maxHtmlBytes?: number } = {}) {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-review-')));
  await store.addSubscribers(
    ['r1@example.com', 'r2@example.com'].map((email) => ({ email, status: 'active' as const })),
    FRIDAY.toISOString(),
  );
  const source = new ListSource([
    bookmark({ url: 'https://a.example/1', title: 'One', savedAt: '2026-11-26T00:00:00.000Z' }),
    bookmark({ url: 'https://a.example/2', title: 'Two', savedAt: '2026-11-26T01:00:00.000Z' }),
  ]);
  const mailer = new FakeMailer();
  const clock = { now: FRIDAY };
  const compose = {
    sources: [{ id: 'list', source }],
    store,
    render,
    options: { ...composeOptions(), firstIssueDays: 7, maxHtmlBytes: options.maxHtmlBytes ?? 95_000 },
    placeholder: 'pdunsubx',
    sampleUnsubscribeUrl: 'https://d.example/u?t=x',
  };
  const review: ReviewDeps = {
    store,
    compose,
    settings: { mode, leadHours: 24, to: AUTHOR },
    schedule: SCHEDULE,
    preflight: {
      mailer,
      message: {
        from: 'd@links.example.com',
        listId: { name: 'L', id: 'l.example.com' },
        siteUrl: 'https://links.example.com',
        secret: SECRET,
      },
      title: 'My Links',
      lang: 'en',
      replyForNote: false,
    },
    now: () => clock.now,
  };
  const queue = new RecordingQueue();
  const produce: ProduceDeps = {
    compose,
    store,
    queue,
    recipientsPerMessage: 10,
    now: () => clock.now,
    review: { mode },
  };
  return { store, source, mailer, clock, review, produce, queue };
}

const tokenOf = (url: string) => new URL(url).searchParams.get('t') ?? '';

describe('composeDraft', () => {
  it('stores a draft for the next send, mails one preflight to the author, and marks nothing sent', async () => {
    const { store, mailer, review } = await setup('auto');
    const outcome = await composeDraft(review);
    expect(outcome.kind).toBe('drafted');
    if (outcome.kind !== 'drafted') return;
    expect(outcome.draft).toMatchObject({ issue: 1, sendAt: SEND_AT, state: 'draft', mode: 'auto' });
    expect(outcome.draft.preflight.readers).toBe(2);
    expect(outcome.draft.events.map((e) => e.detail ?? e.action)).toEqual(['drafted', `to ${AUTHOR}`]);
    expect(mailer.accepted.map((m) => m.to)).toEqual([AUTHOR]);
    expect(mailer.accepted[0]?.preflight).toBe(true);
    // Not an issue: nothing is stored as one, no link is used up.
    expect(await store.listIssues()).toEqual([]);
    expect((await store.history()).sentLinks.size).toBe(0);
  });

  it('composes one draft for a duplicated tick, and a new one after the send time passed unsent', async () => {
    const { mailer, review, clock } = await setup('approve');
    await composeDraft(review);
    expect((await composeDraft(review)).kind).toBe('exists');
    expect(mailer.accepted).toHaveLength(1);
    clock.now = new Date('2026-12-04T07:00:00.000Z'); // a week on: the first draft's send passed unapproved
    const next = await composeDraft(review);
    expect(next).toMatchObject({ kind: 'drafted', draft: { issue: 1, sendAt: '2026-12-05T07:00:00.000Z' } });
    const file = (await currentDraft(review.store)).file;
    expect(file?.earlier.map((d) => d.state)).toEqual(['replaced']);
  });

  it('keeps the draft when the preflight cannot be mailed, and says so in its history', async () => {
    const { review } = await setup('auto');
    review.preflight.mailer = new FakeMailer(() => 'transient');
    const outcome = await composeDraft(review);
    expect(outcome.kind).toBe('drafted');
    const file = (await currentDraft(review.store)).file;
    expect(file?.current.events.at(-1)).toMatchObject({
      action: 'preflight',
      detail: expect.stringMatching(/^failed/),
    });
  });
});

describe('the deadline (produceIssue with review)', () => {
  it('an hourly draft tick after a hold leaves it held: nothing goes out at that deadline', async () => {
    const { review, produce, clock, store } = await setup('auto');
    await composeDraft(review, 'schedule', { withinLead: true });
    await holdDraft(review, { by: 'link' });
    clock.now = new Date(FRIDAY.getTime() + 3_600_000);
    expect(await composeDraft(review, 'schedule', { withinLead: true })).toMatchObject({
      kind: 'exists',
      draft: { state: 'held' },
    });
    clock.now = new Date(SEND_AT);
    expect(await produceIssue(produce)).toMatchObject({ kind: 'nothing', reason: expect.stringMatching(/held/) });
    expect(await store.listIssues()).toEqual([]);
  });

  it('an approved draft is not replaced by a draft tick that comes after its send time, before its deadline ran', async () => {
    const { review, produce, clock } = await setup('approve');
    // Daily at 07:00 with a 24-hour lead: just after a send, the next send is within the lead already.
    review.schedule = { cron: '0 7 * * ? *', timezone: 'Europe/London' };
    clock.now = new Date(Date.parse(SEND_AT) - 3_600_000);
    await composeDraft(review);
    await approveDraft(review, { by: 'cli' });
    clock.now = new Date(Date.parse(SEND_AT) + 10 * 60_000);
    expect(await composeDraft(review, 'schedule', { withinLead: true })).toMatchObject({
      kind: 'exists',
      draft: { state: 'approved' },
    });
    expect(await produceIssue(produce)).toMatchObject({ kind: 'enqueued', recipients: 2 });
  });

  it('a link made private since the draft is left out at the deadline; the rest goes, dated at the send', async () => {
    const { review, produce, clock, source, store } = await setup('auto');
    await composeDraft(review);
    (source.bookmarks[0] as Bookmark).shared = false;
    clock.now = new Date(SEND_AT);
    const sent = await produceIssue(produce);
    expect(sent).toMatchObject({ kind: 'enqueued', warnings: [expect.stringMatching(/left out .* "One"/)] });
    const stored = (await store.history()).unfinished;
    expect(stored?.model.sections.flatMap((x) => x.bookmarks.map((b) => b.url))).toEqual(['https://a.example/2']);
    expect(stored?.model.window.to).toBe(SEND_AT);
    expect(stored?.links).toEqual(['http://a.example/2']);
  });

  it('auto: sends the draft as stored, once, even for a duplicated tick', async () => {
    const { store, review, produce, queue, source } = await setup('auto');
    const drafted = await composeDraft(review);
    if (drafted.kind !== 'drafted') throw new Error('no draft');
    source.bookmarks.push(bookmark({ url: 'https://a.example/3', savedAt: '2026-11-27T06:00:00.000Z' }));
    const first = await produceIssue(produce);
    expect(first).toMatchObject({ kind: 'enqueued', recipients: 2 });
    const stored = await store.getIssue(1);
    // Byte for byte the draft the author saw: the link saved since is for the next issue.
    expect(stored?.rendered.html).toBe(drafted.draft.record.rendered.html);
    expect((await draftFileOf(store, 1))?.current.state).toBe('sent');
    expect((await produceIssue(produce)).kind).toBe('busy');
    expect(queue.batches).toHaveLength(1);
  });

  it('auto without a draft: composes as without review', async () => {
    const { produce } = await setup('auto');
    expect(await produceIssue(produce)).toMatchObject({ kind: 'enqueued', composed: true });
  });

  it('approve: nothing without an approval, and the reason is recorded once', async () => {
    const { store, review, produce } = await setup('approve');
    expect(await produceIssue(produce)).toMatchObject({ kind: 'nothing', reason: expect.stringMatching(/no draft/) });
    await composeDraft(review);
    const outcome = await produceIssue(produce);
    expect(outcome).toMatchObject({ kind: 'nothing', reason: expect.stringMatching(/not approved/) });
    await produceIssue(produce);
    const events = (await currentDraft(store)).file?.current.events.map((e) => e.action);
    expect(events?.filter((a) => a === 'missed')).toHaveLength(1);
    expect(await store.listIssues()).toEqual([]);
    await approveDraft(review, { by: 'cli' });
    expect(await produceIssue(produce)).toMatchObject({ kind: 'enqueued', recipients: 2 });
  });

  it('held: nothing sent, and the next draft has the same links; approve undoes a hold', async () => {
    const { store, review, produce, clock } = await setup('auto');
    await composeDraft(review);
    await holdDraft(review, { by: 'cli' });
    expect(await produceIssue(produce)).toMatchObject({ kind: 'nothing', reason: expect.stringMatching(/held/) });
    clock.now = new Date('2026-12-04T07:00:00.000Z');
    const next = await composeDraft(review);
    if (next.kind !== 'drafted') throw new Error('no second draft');
    const urls = (r?: IssueRecord) => r?.model.sections.flatMap((x) => x.bookmarks.map((b) => b.url)).sort();
    expect(urls(next.draft.record)).toEqual(['https://a.example/1', 'https://a.example/2']);
    await holdDraft(review, { by: 'cli' });
    await approveDraft(review, { by: 'cli' });
    expect(await produceIssue(produce)).toMatchObject({ kind: 'enqueued' });
    expect(urls((await store.history()).unfinished)).toEqual(['https://a.example/1', 'https://a.example/2']);
  });
});

describe('approve', () => {
  it('is late after the send time (the host sends at once), not before', async () => {
    const { review, clock } = await setup('approve');
    await composeDraft(review);
    expect((await approveDraft(review, { by: 'cli' })).late).toBe(false);
    clock.now = new Date('2026-11-28T07:30:00.000Z');
    expect((await approveDraft(review, { by: 'cli' })).late).toBe(true);
  });

  it('refuses and holds a draft with nothing left to send (every link made private)', async () => {
    const { review, source, store } = await setup('approve');
    await composeDraft(review);
    for (const b of source.bookmarks) b.shared = false;
    await expect(approveDraft(review, { by: 'cli' })).rejects.toThrow(/nothing left to send .* it is held/);
    expect((await currentDraft(store)).file?.current.state).toBe('held');
  });

  it('names the issue that is not a draft', async () => {
    const { review, produce } = await setup('auto');
    await expect(approveDraft(review, { by: 'cli' })).rejects.toThrow(
      /no draft of issue #1: run `pinboard-digest draft`/,
    );
    await produceIssue(produce);
    await expect(approveDraft(review, { issue: 1, by: 'cli' })).rejects.toThrow(ReviewError);
  });
});

describe('noteDraft', () => {
  it('renders the draft again with the note, mails a fresh preflight, and refuses a note over the budget', async () => {
    const { review, mailer } = await setup('auto', { maxHtmlBytes: 600 });
    await composeDraft(review);
    const noted = await noteDraft(review, { by: 'cli' }, 'A word first.');
    expect(noted.record.model.editorNote).toBe('A word first.');
    expect(noted.record.rendered.html).toContain('A word first.');
    expect(mailer.accepted).toHaveLength(2);
    await expect(noteDraft(review, { by: 'cli' }, 'x'.repeat(1_000))).rejects.toThrow(/over the 600-byte budget/);
    expect((await currentDraft(review.store)).file?.current.record.model.editorNote).toBe('A word first.');
  });
});

describe('review links', () => {
  it('work for their purpose and their draft until the send time, and a GET check changes nothing', async () => {
    const { review, clock, store } = await setup('approve');
    const drafted = await composeDraft(review);
    if (drafted.kind !== 'drafted') throw new Error('no draft');
    const links = reviewLinks(drafted.draft, { settings: review.settings, message: review.preflight.message });
    expect(await checkReviewLink(linkDepsOf(review), 'approve', tokenOf(links.approve))).toMatchObject({ kind: 'ok' });
    expect(await checkReviewLink(linkDepsOf(review), 'approve', tokenOf(links.hold))).toMatchObject({
      reason: 'wrong-purpose',
    });
    expect(await checkReviewLink(linkDepsOf(review), 'note', 'not-a-token')).toMatchObject({ reason: 'malformed' });
    const other = createToken(SECRET, 'review-hold', reviewSubject('y'.repeat(16), AUTHOR), Date.parse(SEND_AT));
    expect(await checkReviewLink(linkDepsOf(review), 'hold', other)).toMatchObject({ reason: 'other-draft' });
    expect((await currentDraft(store)).file?.current.state).toBe('draft');

    expect(await actOnReviewLink(review, { purpose: 'hold', token: tokenOf(links.hold), by: 'link' })).toMatchObject({
      kind: 'done',
    });
    expect((await currentDraft(store)).file?.current.events.at(-1)).toMatchObject({ action: 'held', by: 'link' });
    clock.now = new Date('2026-11-28T07:00:01.000Z');
    expect(
      await actOnReviewLink(review, { purpose: 'approve', token: tokenOf(links.approve), by: 'link' }),
    ).toMatchObject({ reason: 'expired' });
    expect((await currentDraft(store)).file?.current.state).toBe('held');
  });
});

describe('the reply door: a reply to the preflight, as SES receives it', () => {
  /** A Received notification as an SES receipt rule's SNS action publishes it (UTF-8, content included). */
  function received(options: { from: string; subject: string; spf?: string; dkim?: string; body: string }) {
    const raw = [
      `From: Author <${options.from}>`,
      'To: replies@links.example.com',
      `Subject: ${options.subject}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset="UTF-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      options.body,
      '--b1',
      'Content-Type: text/html; charset="UTF-8"',
      '',
      '<div>ignored: the text part is read</div>',
      '--b1--',
      '',
    ].join('\r\n');
    return JSON.stringify({
      notificationType: 'Received',
      mail: {
        timestamp: '2026-11-27T08:00:00.000Z',
        source: options.from,
        messageId: 'm1',
        destination: ['replies@links.example.com'],
        commonHeaders: {
          from: [`Author <${options.from}>`],
          to: ['replies@links.example.com'],
          subject: options.subject,
        },
      },
      receipt: {
        timestamp: '2026-11-27T08:00:01.000Z',
        recipients: ['replies@links.example.com'],
        spamVerdict: { status: 'PASS' },
        virusVerdict: { status: 'PASS' },
        spfVerdict: { status: options.spf ?? 'PASS' },
        dkimVerdict: { status: options.dkim ?? 'PASS' },
        dmarcVerdict: { status: 'PASS' },
        action: { type: 'SNS', topicArn: 'arn:aws:sns:eu-west-2:1:t', encoding: 'UTF8' },
      },
      content: raw,
    });
  }
  const BODY =
    'A week of *good* links =E2=80=94 enjoy.=\r\n\r\nOn Fri, 27 Nov 2026 at 07:00, My Links <d@links.example.com> wrote:\r\n> Preflight: not sent yet';

  async function replyWorld() {
    const world = await setup('auto');
    const drafted = await composeDraft(world.review);
    if (drafted.kind !== 'drafted') throw new Error('no draft');
    const ref = replyRef(drafted.draft, { settings: world.review.settings, message: world.review.preflight.message });
    const actions: ReviewActions = {
      act: (request) => actOnReviewLink(world.review, request),
      sendNow: async () => 'not here',
    };
    const record = (message: string) =>
      recordSesEvents(parseSesNotification(message), {
        store: world.store,
        transientLimit: 3,
        review: { to: AUTHOR, actions },
      });
    return { ...world, ref, record };
  }

  it('sets the note from the text above the quote, and mails a fresh preflight', async () => {
    const { ref, record, store, mailer } = await replyWorld();
    const summary = await record(
      received({ from: AUTHOR, subject: `Re: Preflight: Links #1 [ref:${ref}]`, body: BODY }),
    );
    expect(summary).toMatchObject({ notes: 1, refusedNotes: 0 });
    const draft = (await currentDraft(store)).file?.current;
    expect(draft?.record.model.editorNote).toBe('A week of *good* links — enjoy.');
    expect(draft?.events.find((e) => e.action === 'note')?.by).toBe('reply');
    expect(mailer.accepted).toHaveLength(2);
  });

  it('refuses a reply from another address, with a failed verdict, or with a token not for a note', async () => {
    const { ref, record, store, review } = await replyWorld();
    const subject = `Re: Preflight [ref:${ref}]`;
    const refusals = [
      received({ from: 'someone@example.net', subject, body: BODY }),
      received({ from: AUTHOR, subject, spf: 'FAIL', body: BODY }),
      received({ from: AUTHOR, subject, dkim: 'GRAY', body: BODY }),
    ];
    const drafted = (await currentDraft(store)).file?.current;
    if (!drafted) throw new Error('no draft');
    const approveToken = tokenOf(
      reviewLinks(drafted, { settings: review.settings, message: review.preflight.message }).approve,
    );
    refusals.push(received({ from: AUTHOR, subject: `Re: [ref:${approveToken}]`, body: BODY }));
    for (const message of refusals) expect(await record(message)).toMatchObject({ notes: 0, refusedNotes: 1 });
    expect((await currentDraft(store)).file?.current.record.model.editorNote).toBeUndefined();
  });
});
