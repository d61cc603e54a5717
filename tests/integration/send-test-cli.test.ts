/** `pinboard-digest send --to ADDRESS [--issue N]`: one marked test copy, through the outbox or a local SES, changing nothing. */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { type SesServer, startSesServer } from './servers/ses-server';

/** Every file under a directory with its bytes: the state a test send must leave as it was. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p, 'base64');
    }
  };
  walk(dir);
  return out;
}

const outbox = (cwd: string) => readdirSync(path.join(cwd, 'outbox')).sort();
const tokenOf = (header: string) => /unsubscribe\?token=([^>\s]+)>/.exec(header)?.[1] ?? '';

describe('send --to through the outbox', () => {
  it('sends the next or a past issue to one address, marked as a test, and changes no state', async () => {
    const cwd = makeProject({ posts: [rawPost(3, 1)], subscribers: ['a@example.com,A', 'b@example.com,B'] });
    expect((await runCli(['send'], { cwd })).code).toBe(0);
    const realCopy = readFileSync(path.join(cwd, 'outbox', 'issue-0001-a@example.com.eml'));
    writeFileSync(path.join(cwd, 'bookmarks.json'), JSON.stringify([rawPost(3, 1), rawPost(1, 2)]));
    const state = snapshot(path.join(cwd, '.digest'));

    // The next issue, as preview would compose it.
    const next = await runCli(['send', '--to', 'Me@Example.COM'], { cwd });
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/Sent a test of issue #2 \(the next issue\) to Me@example\.com: "\[TEST\] My Links #2/);
    const [testFile] = outbox(cwd).filter((f) => f.startsWith('test-'));
    expect(testFile).toMatch(/^test-issue-0002-me@example\.com-test-[A-Za-z0-9_-]{12}\.eml$/);
    const mail = await simpleParser(readFileSync(path.join(cwd, 'outbox', testFile ?? '')));
    expect(mail.subject).toBe('[TEST] My Links #2: 1 link');
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('Me@example.com');
    expect(mail.text).toContain('https://example.com/2');
    expect(mail.text).not.toContain('https://example.com/1');
    const header = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const token = tokenOf(header);
    expect(token.split('.')[0]).toMatch(/^test-[A-Za-z0-9_-]{12}$/); // 17 characters: no subscriber id is
    expect(mail.text).toContain(`unsubscribe?token=${token}`);

    // A past issue, to an address that is on the list: the real copy in the outbox stays as it was sent.
    const past = await runCli(['send', '--to', 'a@example.com', '--issue', '1'], { cwd });
    expect(past.code).toBe(0);
    expect(past.stdout).toMatch(/Sent a test of issue #1 to a@example\.com: "\[TEST\] My Links #1: 1 link"/);
    expect(readFileSync(path.join(cwd, 'outbox', 'issue-0001-a@example.com.eml'))).toEqual(realCopy);
    expect(outbox(cwd).filter((f) => f.startsWith('test-issue-0001-a@example.com-'))).toHaveLength(1);

    // Nothing moved: ledger, issues, memos, subscribers, signing key.
    expect(snapshot(path.join(cwd, '.digest'))).toEqual(state);

    // The test's unsubscribe token is genuine but names nobody: following it unsubscribes no one.
    const unsub = await runCli(['subscribers', 'unsubscribe', token], { cwd });
    expect(unsub.stdout).toMatch(/its subscriber is no longer on the list: nothing to do/);
    const list = JSON.parse((await runCli(['subscribers', 'list', '--json'], { cwd })).stdout) as { status: string }[];
    expect(list.map((s) => s.status)).toEqual(['active', 'active']);

    // The real send afterwards still reaches everyone with issue 2.
    const real = await runCli(['send'], { cwd });
    expect(real.stdout).toMatch(/Issue #2 "My Links #2: 1 link" delivered: sent 2,/);

    const bad = await runCli(['send', '--to', 'not-an-address'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--to: "not-an-address" is not a valid email address/);
    const missing = await runCli(['send', '--to', 'me@example.com', '--issue', '9'], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no issue #9/);
    expect((await runCli(['send', '--issue', '1'], { cwd })).stderr).toMatch(/--issue needs --to ADDRESS/);
    const nothing = await runCli(['send', '--to', 'me@example.com'], { cwd });
    expect(nothing.stdout).toMatch(/Nothing to test: .*Try --issue N/);

    // A past issue needs no source: a Pinboard API config without its token still sends it.
    const config = JSON.parse(readFileSync(path.join(cwd, 'digest.config.json'), 'utf8'));
    config.source = { type: 'pinboard-api', user: 'me' };
    writeFileSync(path.join(cwd, 'digest.config.json'), JSON.stringify(config));
    expect((await runCli(['send', '--to', 'me@example.com', '--issue', '2'], { cwd })).code).toBe(0);
    const next3 = await runCli(['send', '--to', 'me@example.com'], { cwd });
    expect(next3.code).toBe(1);
    expect(next3.stderr).toMatch(/set PINBOARD_TOKEN/);
  }, 180_000);
});

describe('send --to through SES (a local SES endpoint)', () => {
  let ses: SesServer;
  beforeAll(async () => {
    ses = await startSesServer({ maxSendRate: 10 });
  });
  afterAll(() => ses.stop());

  it('sends one SendRawEmail to the address and nobody else', async () => {
    const cwd = makeProject({
      posts: [rawPost(2, 1)],
      subscribers: ['a@example.com,A'],
      config: { transport: { type: 'ses' } },
    });
    const env = {
      AWS_ENDPOINT_URL_SES: ses.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      DIGEST_SIGNING_SECRET: 's'.repeat(40),
    };
    const result = await runCli(['send', '--to', 'author@example.com'], { cwd, env });
    expect(result.stderr).not.toMatch(/failed/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/via Amazon SES/);
    expect(ses.accepted).toHaveLength(1);
    const [sent] = ses.accepted;
    expect(sent?.to).toEqual(['author@example.com']);
    const mail = await simpleParser(sent?.raw ?? '');
    expect(mail.subject).toBe('[TEST] My Links #1: 1 link');
    expect(tokenOf(mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '')).toMatch(/^test-/);
    // No state: the test composed nothing into the store.
    expect(readdirSync(cwd)).not.toContain('.digest');
  }, 60_000);
});
