/** `pinboard-digest issues list|show`: history from the local store and from DynamoDB (dynalite on 127.0.0.1). */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { FileStore } from '../../lambda/adapters/file-store';
import { recordSesEvents } from '../../lambda/jobs/record-ses-events';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';

interface Row {
  issue: number;
  status: string;
  subject: string;
  links: number;
  sent: number;
  refused: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  sentAt?: string;
}

const listJson = async (cwd: string, env?: NodeJS.ProcessEnv) => {
  const result = await runCli(['issues', 'list', '--json'], { cwd, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Row[];
};

describe('issues on the local store', () => {
  it('lists each issue with its ledger counts and the readers who left after it, and shows one', async () => {
    const cwd = makeProject({
      posts: [rawPost(3, 1), rawPost(2, 2, { tags: 'tools' })],
      subscribers: ['a@example.com,A', 'b@example.com,B', 'c@example.com,C'],
      config: { sections: [{ title: 'Tools', tags: ['tools'] }] },
    });
    expect((await runCli(['issues', 'list'], { cwd })).stdout).toMatch(/^No issues yet \(file store .*\)\.$/m);
    expect((await runCli(['send'], { cwd })).code).toBe(0);

    // After issue 1: a unsubscribes, SES reports b bouncing for good.
    expect((await runCli(['subscribers', 'unsubscribe', 'a@example.com'], { cwd })).code).toBe(0);
    const store = new FileStore(path.join(cwd, '.digest'));
    const bounce = await recordSesEvents(
      [{ kind: 'permanent-bounce', email: 'b@example.com', at: new Date().toISOString(), issue: 1 }],
      { store, transientLimit: 3 },
    );
    expect(bounce.suppressed).toBe(1);

    // Issue 2 reaches c only; then c unsubscribes.
    writeFileSync(
      path.join(cwd, 'bookmarks.json'),
      JSON.stringify([rawPost(3, 1), rawPost(2, 2, { tags: 'tools' }), rawPost(1, 3)]),
    );
    expect((await runCli(['send'], { cwd })).code).toBe(0);
    expect((await runCli(['subscribers', 'unsubscribe', 'c@example.com'], { cwd })).code).toBe(0);

    const rows = await listJson(cwd);
    expect(rows.map(({ sentAt: _, ...r }) => r)).toEqual([
      expect.objectContaining({
        issue: 1,
        status: 'sent',
        links: 2,
        sent: 3,
        refused: 0,
        bounced: 1,
        complained: 0,
        unsubscribed: 1,
      }),
      expect.objectContaining({ issue: 2, status: 'sent', links: 1, sent: 1, bounced: 0, unsubscribed: 1 }),
    ]);
    expect(rows[0]?.subject).toMatch(/^My Links #1/);

    const text = await runCli(['issues', 'list'], { cwd });
    const [head, first] = text.stdout.split('\n');
    expect(head).toMatch(/^#\s+date\s+links\s+sent\s+refused\s+bounced\s+complained\s+unsub since\s+subject$/);
    expect(first).toMatch(/^1\s+\d{4}-\d\d-\d\d\s+2\s+3\s+0\s+1\s+0\s+1\s+My Links #1/);
    expect(text.stdout).toMatch(/^2 issues \(file store /m);

    const show = await runCli(['issues', 'show', '1'], { cwd });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/sent 3, refused 0, unfinished 0; since then: bounced 1, complained 0, unsubscribed 1/);
    expect(show.stdout).toMatch(/^Tools \(1\)\n {2}Post 2\n {4}https:\/\/example\.com\/2$/m);
    expect(show.stdout).toContain('https://example.com/1');
    expect(show.stdout).not.toContain('https://example.com/3');
    const json = JSON.parse((await runCli(['issues', 'show', '2', '--json'], { cwd })).stdout);
    expect(json.sections.flatMap((s: { links: { url: string }[] }) => s.links.map((l) => l.url))).toEqual([
      'https://example.com/3',
    ]);

    const missing = await runCli(['issues', 'show', '9'], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no issue #9/);
    const bad = await runCli(['issues', 'show', 'x'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/issues show: give an issue number \(1, 2, …\), not "x"/);
    expect((await runCli(['issues'], { cwd })).code).toBe(2);
  }, 180_000);
});

describe('issues on DynamoDB', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    const dynalite = require('dynalite') as (options: object) => Server;
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reads the history from the table the config names', async () => {
    const aws = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    await new DynamoDbStore({ table: 'history', client: new DynamoDBClient({ endpoint, ...aws }) }).createTable();
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      DIGEST_SIGNING_SECRET: 'x'.repeat(40),
    };
    const cwd = makeProject({ posts: [rawPost(2, 1)], config: { store: { type: 'dynamodb', table: 'history' } } });
    const sent = await runCli(['send'], { cwd, env });
    expect(sent.stdout).toMatch(/delivered: sent 2/);
    expect(await listJson(cwd, env)).toEqual([
      expect.objectContaining({ issue: 1, status: 'sent', links: 1, sent: 2, unsubscribed: 0 }),
    ]);
    const list = await runCli(['issues', 'list'], { cwd, env });
    expect(list.stdout).toMatch(/1 issue \(DynamoDB table history\)/);
  }, 60_000);
});
