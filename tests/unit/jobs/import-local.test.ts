import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../../../lambda/adapters/file-store';
import { importLocalSubscribers } from '../../../lambda/jobs/import-local';

const store = () => new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-import-local-')));
const AT = '2026-12-02T12:00:00.000Z';

describe('importLocalSubscribers', () => {
  it('moves every status but pending, with its consent date, name and source; a rerun adds nobody', async () => {
    const local = store();
    await local.addSubscribers(
      [
        { email: 'a@example.com', status: 'active', name: 'A', createdAt: '2025-01-02T00:00:00.000Z' },
        { email: 'b@example.com', status: 'bounced', createdAt: '2025-02-03T00:00:00.000Z' },
        { email: 'c@example.com', status: 'complained' },
        { email: 'u@example.com', status: 'unsubscribed' },
        { email: 'm@example.com', status: 'active', source: 'Mailchimp export', createdAt: '2024-06-01T00:00:00.000Z' },
        { email: 'p@example.com', status: 'pending' },
      ],
      '2026-11-01T00:00:00.000Z',
    );
    const deployed = store();
    const first = await importLocalSubscribers(local, deployed, AT);
    expect(first).toEqual({
      added: { active: 2, bounced: 1, complained: 1, unsubscribed: 1 },
      unchanged: 0,
      suppressed: 0,
      pending: 1,
    });
    expect(await deployed.findSubscriber('a@example.com')).toMatchObject({
      status: 'active',
      name: 'A',
      createdAt: '2025-01-02T00:00:00.000Z',
    });
    expect(await deployed.findSubscriber('b@example.com')).toMatchObject({
      status: 'bounced',
      createdAt: '2025-02-03T00:00:00.000Z',
    });
    expect(await deployed.findSubscriber('m@example.com')).toMatchObject({ source: 'Mailchimp export' });
    expect(await deployed.findSubscriber('p@example.com')).toBeUndefined();

    const again = await importLocalSubscribers(local, deployed, AT);
    expect(again).toEqual({ added: {}, unchanged: 5, suppressed: 0, pending: 1 });
  });

  it('a suppression wins either way: a local bounce suppresses the deployed reader; one who left on AWS stays left', async () => {
    const local = store();
    await local.addSubscribers(
      [
        { email: 'gone@example.com', status: 'bounced' },
        { email: 'back@example.com', status: 'active' },
      ],
      AT,
    );
    const deployed = store();
    await deployed.addSubscribers(
      [
        { email: 'gone@example.com', status: 'active' },
        { email: 'back@example.com', status: 'unsubscribed' },
      ],
      AT,
    );
    const result = await importLocalSubscribers(local, deployed, AT);
    expect(result).toMatchObject({ suppressed: 1, unchanged: 1 });
    expect((await deployed.findSubscriber('gone@example.com'))?.status).toBe('bounced');
    expect((await deployed.findSubscriber('back@example.com'))?.status).toBe('unsubscribed');
  });
});
