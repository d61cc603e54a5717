/**
 * `subscribers import` of each service's export (tests/fixtures/imports, each with a BOM, quoted commas, a quoted
 * line break and a bad row) into a real file store: who is added, in which status, with which name and opt-in
 * time, and which rows are named as left out or not mailed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import type { Subscriber } from '../../../lambda/core/model';
import { importSubscribers } from '../../../lambda/jobs/import-subscribers';

const AT = '2026-11-25T12:00:00.000Z';
const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../../fixtures/imports', name), 'utf8');

async function importFixture(name: string) {
  const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-import-')));
  const result = await importSubscribers(store, fixture(name), AT);
  const { items } = await store.listSubscribers({ limit: 100 });
  const people = items.map(({ id: _, updatedAt, ...s }) => {
    expect(updatedAt).toBe(AT);
    return s;
  });
  return { result, people, store };
}

type Shape = Omit<Subscriber, 'id' | 'updatedAt'>;
const person = (email: string, status: Subscriber['status'], createdAt: string, name?: string, source?: string) =>
  ({ email, ...(name ? { name } : {}), status, createdAt, ...(source ? { source } : {}) }) as Shape;

describe('importing other services’ exports', () => {
  it('Mailchimp subscribed: names joined, OPTIN_TIME kept (CONFIRM_TIME when empty), bad address and bad time named', async () => {
    const { result, people } = await importFixture('mailchimp-subscribed.csv');
    expect(result.format).toEqual({ id: 'mailchimp', label: 'Mailchimp export' });
    const src = 'Mailchimp export';
    expect(people).toEqual([
      person('ada@example.com', 'active', '2019-03-14T18:23:45.000Z', 'Ada Lovelace, Countess', src),
      person('grace@example.com', 'active', '2020-07-01T09:00:00.000Z', 'Grace Hopper', src),
      person('alan@example.com', 'active', '2018-06-23T12:00:00.000Z', 'Alan Turing', src),
    ]);
    expect(result.invalid).toEqual([
      'line 5: "not-an-address" is not an email address',
      'line 7: OPTIN_TIME "14/03/2019" is not a date and time',
    ]);
    expect(result).toMatchObject({ added: 3, existing: 0, notMailed: [] });
  });

  it('Mailchimp unsubscribed and cleaned files: imported unsubscribed and bounced, never mailed', async () => {
    const unsub = await importFixture('mailchimp-unsubscribed.csv');
    expect(unsub.people).toEqual([
      person('bob@example.com', 'unsubscribed', '2019-05-05T10:00:00.000Z', 'Bob Marley, Jr.', 'Mailchimp export'),
    ]);
    expect(unsub.result.notMailed).toEqual([{ line: 2, email: 'bob@example.com', status: 'unsubscribed' }]);
    expect(unsub.result.invalid).toEqual(['line 3: "@nope" is not an email address']);
    const cleaned = await importFixture('mailchimp-cleaned.csv');
    expect(cleaned.people).toEqual([
      person('gone@example.com', 'bounced', '2017-01-01T08:00:00.000Z', 'Gone Away, Far', 'Mailchimp export'),
    ]);
    expect(cleaned.result.notMailed).toEqual([
      { line: 2, email: 'gone@example.com', status: 'bounced', serviceStatus: 'cleaned' },
    ]);
    expect(cleaned.result.invalid).toEqual(['line 3: "broken@" is not an email address']);
  });

  it('Substack: email_disabled readers are unsubscribed; a name across two lines is one name', async () => {
    const { result, people } = await importFixture('substack.csv');
    expect(result.format?.id).toBe('substack');
    expect(people).toEqual([
      person('reader@example.com', 'active', '2021-02-03T04:05:06.789Z', 'Doe, Jane', 'Substack export'),
      person('patron@example.com', 'active', '2020-11-30T23:59:59.000Z', 'Smith, John', 'Substack export'),
      person('quiet@example.com', 'unsubscribed', '2019-01-01T00:00:00.000Z', 'Quiet', 'Substack export'),
    ]);
    expect(result.notMailed).toEqual([
      { line: 5, email: 'quiet@example.com', status: 'unsubscribed', serviceStatus: 'email disabled' },
    ]);
    expect(result.invalid).toEqual(['line 6: email_disabled "maybe" is not true or false']);
  });

  it('Buttondown: subscriber types to statuses; an unknown type is a bad row', async () => {
    const { result, people } = await importFixture('buttondown.csv');
    expect(result.format?.id).toBe('buttondown');
    const src = 'Buttondown export';
    expect(people).toEqual([
      person('one@example.com', 'active', '2022-04-05T06:07:08.123Z', undefined, src),
      person('two@example.com', 'pending', '2022-05-01T00:00:00.000Z', undefined, src),
      person('three@example.com', 'unsubscribed', '2021-01-01T00:00:00.000Z', undefined, src),
      person('four@example.com', 'unsubscribed', '2021-01-02T00:00:00.000Z', undefined, src),
    ]);
    expect(result.notMailed.map((r) => [r.line, r.status, r.serviceStatus])).toEqual([
      [3, 'pending', 'unactivated'],
      [4, 'unsubscribed', undefined],
      [5, 'unsubscribed', 'removed'],
    ]);
    expect(result.invalid).toEqual([expect.stringMatching(/^line 6: subscriber_type "vip" is not one of regular, /)]);
  });

  it('Kit: every state, cold readers still mailed, a bad address named', async () => {
    const { result, people } = await importFixture('kit.csv');
    expect(result.format?.id).toBe('kit');
    expect(people.map((p) => [p.email, p.status, p.name])).toEqual([
      ['ann@example.com', 'active', 'Ann, PhD'],
      ['ben@example.com', 'pending', 'Ben'],
      ['cat@example.com', 'unsubscribed', 'Cat'],
      ['dan@example.com', 'bounced', 'Dan'],
      ['eve@example.com', 'complained', 'Eve'],
      ['fay@example.com', 'active', 'Fay'],
    ]);
    expect(people[0]).toMatchObject({ createdAt: '2023-06-07T08:09:10.000Z', source: 'Kit (ConvertKit) export' });
    expect(result.notMailed.map((r) => r.line)).toEqual([3, 4, 5, 6]);
    expect(result.invalid).toEqual(['line 8: "gil at example.com" is not an email address']);
  });

  it('Ghost: subscribed_to_emails false is unsubscribed; a created_at that is not a time is a bad row', async () => {
    const { result, people } = await importFixture('ghost.csv');
    expect(result.format?.id).toBe('ghost');
    expect(people).toEqual([
      person('jamie@example.com', 'active', '2022-04-06T07:42:08.000Z', 'Jamie, the first', 'Ghost members export'),
      person('muted@example.com', 'unsubscribed', '2022-04-07T00:00:00.000Z', 'Muted', 'Ghost members export'),
    ]);
    expect(result.notMailed).toEqual([{ line: 4, email: 'muted@example.com', status: 'unsubscribed' }]);
    expect(result.invalid).toEqual(['line 5: created_at "yesterday" is not a date and time']);
  });

  it('listmonk: Go times with offsets, blocklisted suppressed, an unknown status named', async () => {
    const { result, people } = await importFixture('listmonk.csv');
    expect(result.format?.id).toBe('listmonk');
    expect(people).toEqual([
      person('lm@example.com', 'active', '2024-03-01T09:00:00.123Z', 'Lee, Min', 'listmonk export'),
      person('off@example.com', 'unsubscribed', '2024-03-03T04:30:00.000Z', 'Off', 'listmonk export'),
      person('block@example.com', 'bounced', '2024-03-05T11:00:00.000Z', 'Block', 'listmonk export'),
    ]);
    expect(result.notMailed.map((r) => [r.line, r.status, r.serviceStatus])).toEqual([
      [3, 'unsubscribed', 'disabled'],
      [4, 'bounced', 'blocklisted'],
    ]);
    expect(result.invalid).toEqual([expect.stringMatching(/^line 5: status "paused" is not one of enabled, /)]);
  });

  it('our own export: created_at and source kept (issue 8: import keeps created_at)', async () => {
    const { result, people } = await importFixture('pinboard-digest.csv');
    expect(result.format?.id).toBe('pinboard-digest');
    expect(people).toEqual([
      person('own@example.com', 'active', '2025-01-02T03:04:05.000Z', 'Own, Reader', 'Mailchimp export'),
      person('left@example.com', 'unsubscribed', '2025-02-03T00:00:00.000Z', 'Left'),
      person('plain@example.com', 'active', AT, 'Multi Line'),
    ]);
    expect(result.invalid).toEqual([expect.stringMatching(/^line 4: status "gone" is not one of active, /)]);
  });

  it('suppresses an address already on the list that the export says not to mail, and names it', async () => {
    const { store } = await importFixture('kit.csv');
    const again = await importSubscribers(
      store,
      'email,first_name,status,created_at\nann@example.com,Ann,cancelled,\nnew@example.com,New,active,\n',
      AT,
    );
    expect(again).toMatchObject({ added: 1, existing: 1, notMailed: [], suppressed: 1 });
    expect(again.conflicts).toEqual([
      expect.stringMatching(/^line 2: ann@example\.com is active here but cancelled in the Kit .*: now unsubscribed/),
    ]);
    expect((await store.findSubscriber('ann@example.com'))?.status).toBe('unsubscribed');
  });

  it('refuses a header it cannot read, writing nothing', async () => {
    const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-import-')));
    const result = await importSubscribers(store, '"E-Mail","Vorname"\nx@example.com,X\n', AT);
    expect(result.error).toMatch(/needs an "email" column, or to be the header of a Mailchimp, Substack, Buttondown/);
    expect((await store.listSubscribers({ limit: 10 })).items).toEqual([]);
  });
});

describe('a migration in several files', () => {
  const FILES = [
    'mailchimp-moving-subscribed.csv',
    'mailchimp-moving-unsubscribed.csv',
    'mailchimp-moving-cleaned.csv',
  ];
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];

  it.each(orders.map((o) => [o.map((i) => FILES[i]).join(' then '), o]))(
    'suppression wins whatever the order: %s',
    async (_name, order) => {
      const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-import-')));
      for (const i of order as number[]) await importSubscribers(store, fixture(FILES[i] as string), AT);
      const { items } = await store.listSubscribers({ limit: 10 });
      const statuses = Object.fromEntries(items.map((s) => [s.email.toLowerCase(), s.status]));
      expect(statuses).toEqual({
        'stay@example.com': 'active',
        'left@example.com': 'unsubscribed',
        'bounce@example.com': 'bounced',
      });
    },
  );

  it('says which addresses stay suppressed, and only resubscribe brings one back', async () => {
    const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-import-')));
    await importSubscribers(store, fixture('mailchimp-moving-unsubscribed.csv'), AT);
    const later = await importSubscribers(store, fixture('mailchimp-moving-subscribed.csv'), AT);
    expect(later.conflicts).toEqual([
      "line 3: left@example.com is unsubscribed here: left unsubscribed (only --resubscribe, with the reader's consent, brings it back)",
    ]);
    expect((await store.findSubscriber('left@example.com'))?.status).toBe('unsubscribed');
    const back = await importSubscribers(store, fixture('mailchimp-moving-subscribed.csv'), AT, { resubscribe: true });
    expect(back).toMatchObject({ resubscribed: 1, suppressed: 0 });
    expect(back.conflicts).toEqual(['line 3: left@example.com was unsubscribed here: active again (--resubscribe)']);
    expect((await store.findSubscriber('left@example.com'))?.status).toBe('active');
  });

  it('imports an address on two rows once, names the repeat by its line, and keeps the more cautious status', async () => {
    const store = new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-import-')));
    const subscribed = await importSubscribers(store, fixture('mailchimp-moving-subscribed.csv'), AT);
    expect(subscribed).toMatchObject({ added: 3, existing: 0 });
    expect(subscribed.duplicates).toEqual(['line 5: stay@example.com is on line 2 too: imported once']);
    const mixed = await importSubscribers(
      new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-import-'))),
      'email,status\nx@example.com,active\ny@example.com,active\nX@example.com,bounced\nx@example.com,unsubscribed\n',
      AT,
    );
    expect(mixed.duplicates).toEqual([
      'line 4: X@example.com is on line 2 too: imported once',
      'line 5: x@example.com is on line 2 too: imported once',
    ]);
    expect(mixed.notMailed).toEqual([{ line: 2, email: 'x@example.com', status: 'bounced' }]);
    expect(mixed).toMatchObject({ added: 2, existing: 0 });
  });
});
