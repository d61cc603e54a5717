/**
 * The author's review through the real CLI and `serve`, on the file store and the outbox: a draft and its
 * preflight, approve (by CLI and by the link's POST), hold, the note of the day, the deadline (`send`), a
 * late approval, a recompose when the bookmarks changed, and every way a review link can be wrong.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { reviewSubject } from '../../lambda/core/review';
import { createToken } from '../../lambda/core/tokens';
import { runCli } from '../helpers/cli';
import { rawPost } from '../helpers/pinboard-posts';
import { makeProject } from '../helpers/project';
import { freePort, send, startServe } from '../helpers/serve';

const AUTHOR = 'author@example.org';
const SCHEDULE = { cron: '0 7 ? * SAT *', timezone: 'Europe/London' };

function project(mode: 'auto' | 'approve', options: { port?: number; posts?: unknown[] } = {}) {
  return makeProject({
    posts: options.posts ?? [rawPost(3, 1), rawPost(2, 2)],
    config: {
      schedule: SCHEDULE,
      review: { mode, to: AUTHOR },
      ...(options.port ? { siteUrl: `http://127.0.0.1:${options.port}` } : {}),
    },
  });
}

const cli = async (cwd: string, ...args: string[]) => {
  const result = await runCli(args, { cwd });
  return { ...result, all: `${result.stdout}\n${result.stderr}` };
};

const outbox = (cwd: string) => {
  try {
    return readdirSync(path.join(cwd, 'outbox')).sort();
  } catch {
    return [];
  }
};
const issueMails = (cwd: string, issue = 1) =>
  outbox(cwd).filter((f) => f.startsWith(`issue-${String(issue).padStart(4, '0')}-`));
const preflights = (cwd: string) => outbox(cwd).filter((f) => f.startsWith('preflight-'));
const mail = (cwd: string, file: string): Promise<ParsedMail> =>
  simpleParser(readFileSync(path.join(cwd, 'outbox', file)));
/** Names carry a random id: the newest preflight is the one written last. */
const newestPreflight = (cwd: string) => {
  const at = (f: string) => statSync(path.join(cwd, 'outbox', f)).mtimeMs;
  const newest = preflights(cwd)
    .sort((a, b) => at(a) - at(b))
    .at(-1);
  if (!newest) throw new Error('no preflight in the outbox');
  return mail(cwd, newest);
};

/** The review memo of issue `n` as the file store holds it. */
function draftFile(cwd: string, n = 1) {
  const memos = JSON.parse(readFileSync(path.join(cwd, '.digest', 'memo.json'), 'utf8')) as Record<string, string>;
  const text = memos[`review:${n}`];
  return text === undefined ? undefined : JSON.parse(text);
}
function writeDraftFile(cwd: string, n: number, value: unknown) {
  const file = path.join(cwd, '.digest', 'memo.json');
  const memos = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  memos[`review:${n}`] = JSON.stringify(value);
  writeFileSync(file, JSON.stringify(memos));
}

/** The draft's send time passes: the stored draft is moved back a week, as if it had. */
function passSendTime(cwd: string) {
  const file = draftFile(cwd);
  file.current.sendAt = new Date(Date.now() - 7 * 86_400_000).toISOString();
  writeDraftFile(cwd, 1, file);
}

/** The three review links of a preflight, from its text part. */
function reviewLinks(m: ParsedMail) {
  const text = m.text ?? '';
  const link = (purpose: string) => {
    const found = new RegExp(`(https?://\\S+/review/${purpose}\\?t=[A-Za-z0-9._-]+)`).exec(text)?.[1];
    if (!found) throw new Error(`no ${purpose} link in the preflight:\n${text}`);
    return found;
  };
  return { approve: link('approve'), hold: link('hold'), note: link('note') };
}

const setPosts = (cwd: string, posts: unknown[]) =>
  writeFileSync(path.join(cwd, 'bookmarks.json'), JSON.stringify(posts));

describe('review in auto mode', () => {
  it('drafts and mails the preflight to the author only, then sends that issue at the deadline', async () => {
    const cwd = project('auto');
    const drafted = await cli(cwd, 'draft');
    expect(drafted.code).toBe(0);
    expect(drafted.stdout).toMatch(/Drafted issue #1: .*2 links, for 2 readers/);
    expect(drafted.stdout).toContain(`Preflight mailed to ${AUTHOR}`);
    expect(drafted.stdout).toMatch(/unless you hold it/);

    // One message, to the author; no reader has anything; nothing is on the archive.
    expect(preflights(cwd)).toHaveLength(1);
    expect(issueMails(cwd)).toEqual([]);
    const preflight = await newestPreflight(cwd);
    expect(preflight.to && 'text' in preflight.to ? preflight.to.text : '').toContain(AUTHOR);
    expect(preflight.subject).toMatch(/^Preflight: /);
    expect(preflight.html).toContain('Post 1');
    expect(preflight.html).toContain('Post 2');
    expect(() => readdirSync(path.join(cwd, 'out', 'site', 'issues', '1'))).toThrow();

    const listed = await cli(cwd, 'issues', 'list');
    expect(listed.stdout).toMatch(/^\s*1\s+draft\s+2\s/m);
    expect(listed.stdout).toMatch(/Review:\n\s+#1 draft/);

    // A second draft tick for the same send composes nothing and mails nothing.
    const again = await cli(cwd, 'draft');
    expect(again.stdout).toContain('already made');
    expect(preflights(cwd)).toHaveLength(1);

    const sent = await cli(cwd, 'send');
    expect(sent.code).toBe(0);
    expect(sent.stderr).toContain('draft of issue #1');
    expect(issueMails(cwd)).toHaveLength(2);
    const issue = await mail(cwd, issueMails(cwd)[0] ?? '');
    expect(issue.subject).toBe(draftFile(cwd).current.record.rendered.subject);
    expect(draftFile(cwd).current.state).toBe('sent');

    const shown = await cli(cwd, 'issues', 'show', '1');
    expect(shown.stdout).toMatch(/review: sent/);
    for (const action of ['drafted', 'preflight', 'sent'])
      expect(shown.stdout).toMatch(new RegExp(`\\d\\d:\\d\\d ${action} \\(`));

    // Its links are sent now: the next draft has nothing.
    expect((await cli(cwd, 'draft')).stdout).toMatch(/No draft: /);
  });
});

describe('review in approve mode', () => {
  it('sends nothing until the draft is approved, and says why', async () => {
    const cwd = project('approve');
    expect((await cli(cwd, 'draft')).stdout).toMatch(/only if you approve it/);
    const early = await cli(cwd, 'send');
    expect(early.code).toBe(0);
    expect(early.stdout).toMatch(/Nothing to send: the draft of issue #1 is not approved/);
    expect(issueMails(cwd)).toEqual([]);
    expect(draftFile(cwd).current.events.map((e: { action: string }) => e.action)).toContain('missed');

    const approved = await cli(cwd, 'approve');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/Approved issue #1/);
    expect(approved.stdout).not.toMatch(/composed again/);
    expect(issueMails(cwd)).toEqual([]);

    const sent = await cli(cwd, 'send');
    expect(sent.code).toBe(0);
    expect(issueMails(cwd)).toHaveLength(2);
    expect((await cli(cwd, 'issues', 'show', '1')).stdout).toMatch(/approved \(cli\)/);
  });

  it('refuses without a draft, and names the wrong issue', async () => {
    const cwd = project('approve');
    const none = await cli(cwd, 'approve');
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/no draft of issue #1: run `pinboard-digest draft` first/);
    await cli(cwd, 'draft');
    const wrong = await cli(cwd, 'hold', '--issue', '4');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/no draft of issue #4: the next issue is #1/);
  });

  it('recomposes a draft whose bookmarks changed when it is approved, and says what changed', async () => {
    const cwd = project('approve');
    await cli(cwd, 'draft');
    setPosts(cwd, [rawPost(3, 1, { shared: 'no' }), rawPost(2, 2, { description: 'Post 2, retitled' }), rawPost(1, 3)]);
    const approved = await cli(cwd, 'approve');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/changed since the draft was made/);
    expect(approved.stdout).toMatch(/1 link added: "Post 3"/);
    expect(approved.stdout).toMatch(/1 link left out .*"Post 1"/);
    expect(approved.stdout).toMatch(/1 link edited .*"Post 2, retitled"/);
    await cli(cwd, 'send');
    const issue = await mail(cwd, issueMails(cwd)[0] ?? '');
    expect(issue.html).toContain('Post 3');
    expect(issue.html).toContain('Post 2, retitled');
    // Made private after the draft: it never goes out.
    expect(issue.html).not.toContain('https://example.com/1"');
  });

  it('sends at once when the approval comes after the send time', async () => {
    const cwd = project('approve');
    await cli(cwd, 'draft');
    expect((await cli(cwd, 'send')).stdout).toMatch(/not approved/);
    passSendTime(cwd);
    const late = await cli(cwd, 'approve');
    expect(late.code).toBe(0);
    expect(late.stdout).toMatch(/has passed: sending it now/);
    expect(late.stdout).toMatch(/Issue #1 .* delivered/);
    expect(issueMails(cwd)).toHaveLength(2);
  });
});

describe('the deadline’s last look', () => {
  it('a link made private after the draft never reaches a reader, and the author is told', async () => {
    const cwd = project('auto');
    await cli(cwd, 'draft');
    setPosts(cwd, [rawPost(3, 1, { shared: 'no' }), rawPost(2, 2)]);
    const sent = await cli(cwd, 'send');
    expect(sent.code).toBe(0);
    expect(sent.stderr).toMatch(/left out of the draft at its deadline \(deleted or made private since\): "Post 1"/);
    for (const file of issueMails(cwd)) {
      const m = await mail(cwd, file);
      expect(m.html).not.toContain('https://example.com/1"');
      expect(m.html).toContain('https://example.com/2"');
      expect(m.subject).toMatch(/1 link/);
    }
    expect(readFileSync(path.join(cwd, 'out', 'site', 'issues', '1', 'index.html'), 'utf8')).not.toContain(
      'https://example.com/1"',
    );
  });

  it('every link gone: nothing is sent, and why', async () => {
    const cwd = project('auto');
    await cli(cwd, 'draft');
    setPosts(cwd, [rawPost(3, 1, { shared: 'no' }), rawPost(2, 2, { shared: 'no' })]);
    const sent = await cli(cwd, 'send');
    expect(sent.stdout).toMatch(/Nothing to send: the draft of issue #1 is not sent: nothing left to send/);
    expect(issueMails(cwd)).toEqual([]);
  });
});

describe('hold', () => {
  it('sends nothing, and the held links go into the next draft, none lost or repeated', async () => {
    const cwd = project('auto');
    await cli(cwd, 'draft');
    const held = await cli(cwd, 'hold');
    expect(held.code).toBe(0);
    expect(held.stdout).toMatch(/Held issue #1/);
    const deadline = await cli(cwd, 'send');
    expect(deadline.stdout).toMatch(/Nothing to send: the draft of issue #1 is held/);
    expect(issueMails(cwd)).toEqual([]);

    // A draft tick before that send (on AWS one comes every hour) leaves the hold as it is.
    const again = await cli(cwd, 'draft');
    expect(again.stdout).toMatch(/already made \(held\)/);
    expect(draftFile(cwd).current.state).toBe('held');

    // The send time passes; a new link comes in; the next draft has all three, and replaces the held one.
    passSendTime(cwd);
    setPosts(cwd, [rawPost(3, 1), rawPost(2, 2), rawPost(1, 3)]);
    const next = await cli(cwd, 'draft');
    expect(next.stdout).toMatch(/The held draft made .* is replaced/);
    expect(next.stdout).toMatch(/Drafted issue #1: .*3 links/);
    await cli(cwd, 'send');
    const issue = await mail(cwd, issueMails(cwd)[0] ?? '');
    const links = [...(issue.html || '').matchAll(/href="(https:\/\/example\.com\/\d+)"/g)].map((m) => m[1]);
    expect(new Set(links)).toEqual(
      new Set(['https://example.com/1', 'https://example.com/2', 'https://example.com/3']),
    );
    const shown = await cli(cwd, 'issues', 'show', '1');
    expect(shown.stdout).toMatch(/held \(cli\)/);
    expect(shown.stdout).toMatch(/replaced \(cli\)/);
    expect((await cli(cwd, 'draft')).stdout).toMatch(/No draft/);
  });
});

describe('the note of the day', () => {
  const HOSTILE =
    'Hello *world*. <script>alert(1)</script> [click](javascript:alert(2)) "><img src=x onerror=alert(3)>';

  it('by the CLI: a fresh preflight, then in the email, its text part and the archive page, escaped', async () => {
    const cwd = project('auto');
    await cli(cwd, 'draft');
    const noted = await cli(cwd, 'note', HOSTILE);
    expect(noted.code).toBe(0);
    expect(noted.stdout).toMatch(/Note of the day set for issue #1/);
    expect(noted.stdout).toMatch(/fresh preflight was mailed/);
    expect(preflights(cwd)).toHaveLength(2);
    const preflight = await newestPreflight(cwd);
    expect(preflight.html).toContain('<em>world</em>');

    await cli(cwd, 'send');
    const issue = await mail(cwd, issueMails(cwd)[0] ?? '');
    for (const html of [
      issue.html || '',
      readFileSync(path.join(cwd, 'out', 'site', 'issues', '1', 'index.html'), 'utf8'),
    ]) {
      expect(html).toContain('<em>world</em>');
      expect(html).toContain('&lt;script&gt;');
      expect(html).not.toMatch(/<script>alert/);
      expect(html).not.toMatch(/href="javascript:/i);
      expect(html).not.toMatch(/<img src=x/);
    }
    expect(issue.text).toContain('Hello world.');
    // Above the sections: before the first link.
    expect((issue.text ?? '').indexOf('Hello world.')).toBeLessThan((issue.text ?? '').indexOf('Post 1'));
  });

  it('from a file, and removed with an empty text', async () => {
    const cwd = project('auto');
    await cli(cwd, 'draft');
    writeFileSync(path.join(cwd, 'note.md'), 'From **a file**.\n');
    expect((await cli(cwd, 'note', '--file', 'note.md')).stdout).toMatch(/set for issue #1/);
    expect(draftFile(cwd).current.record.model.editorNote).toBe('From **a file**.');
    expect((await cli(cwd, 'note', '')).stdout).toMatch(/removed from issue #1/);
    expect(draftFile(cwd).current.record.model.editorNote).toBeUndefined();
    const missing = await cli(cwd, 'note', '--file', 'nope.md');
    expect(missing.code).toBe(2);
    expect(missing.all).toMatch(/cannot read nope\.md/);
  });
});

describe('the review links on serve', () => {
  it('a GET shows one button and changes nothing; the POST acts; a wrong link changes nothing', async () => {
    const port = await freePort();
    const cwd = project('approve', { port });
    await cli(cwd, 'draft');
    const links = reviewLinks(await newestPreflight(cwd));
    const served = await startServe(cwd);
    try {
      // A mail scanner opens every link, twice: nothing changes.
      for (const url of [links.approve, links.hold, links.note, links.approve]) {
        const page = await send(url);
        expect(page.status).toBe(200);
        expect((page.body.match(/<form/g) ?? []).length).toBe(1);
        expect(page.body).toMatch(/method="post"/i);
        expect((await send(url, { method: 'HEAD' })).status).toBe(200);
      }
      expect(draftFile(cwd).current.state).toBe('draft');
      expect(draftFile(cwd).current.events.map((e: { action: string }) => e.action)).toEqual(['drafted', 'preflight']);

      const token = (url: string) => new URL(url).searchParams.get('t') ?? '';
      const post = (where: string, fields: Record<string, string>) =>
        send(`${served.url}${where}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        });
      const secret = readFileSync(path.join(cwd, '.digest', 'signing.key'), 'utf8').trim();
      const { id, sendAt } = draftFile(cwd).current;

      // Wrong purpose: the hold link's token on the approve button.
      expect((await post('/review/approve', { t: token(links.hold) })).status).toBe(403);
      // Forged: one character of the MAC changed.
      const t = token(links.approve);
      const forged = `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`;
      expect((await post('/review/approve', { t: forged })).status).toBe(403);
      // Genuine, but expired (the send time passed).
      const expired = createToken(secret, 'review-approve', reviewSubject(id, AUTHOR), Date.now() - 60_000);
      const gone = await post('/review/approve', { t: expired });
      expect(gone.status).toBe(410);
      expect(gone.body).not.toContain(expired);
      // Genuine, for another draft, or for another review address.
      const other = createToken(secret, 'review-approve', reviewSubject('x'.repeat(16), AUTHOR), Date.parse(sendAt));
      expect((await post('/review/approve', { t: other })).status).toBe(409);
      const elsewhere = createToken(
        secret,
        'review-approve',
        reviewSubject(id, 'someone@example.org'),
        Date.parse(sendAt),
      );
      expect((await post('/review/approve', { t: elsewhere })).status).toBe(409);
      // From another site's page: refused before the token is read.
      const cross = await send(`${served.url}/review/approve`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' },
        body: `t=${t}`,
      });
      expect(cross.status).toBe(403);
      expect(draftFile(cwd).current.state).toBe('draft');
      expect(issueMails(cwd)).toEqual([]);

      // The note page: a hostile note, saved by POST, and a fresh preflight.
      const noted = await post('/review/note', { t: token(links.note), note: 'Read <b>this</b> *first*.' });
      expect(noted.status).toBe(200);
      expect(noted.body).toMatch(/note of issue #1 is saved/);
      expect(draftFile(cwd).current.record.model.editorNote).toBe('Read <b>this</b> *first*.');
      expect(preflights(cwd)).toHaveLength(2);
      const fresh = await newestPreflight(cwd);
      expect(fresh.html).toContain('Read &lt;b&gt;this&lt;/b&gt; <em>first</em>.');

      const approved = await post('/review/approve', { t });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatch(/Approved\. Issue #1 goes out/);
      expect(draftFile(cwd).current.state).toBe('approved');
      expect(draftFile(cwd).current.events.find((e: { action: string }) => e.action === 'approved').by).toBe('link');
    } finally {
      await served.stop();
    }
    expect((await cli(cwd, 'send')).code).toBe(0);
    expect(issueMails(cwd)).toHaveLength(2);
    // Sent: the links are dead now.
    const after = await startServe(cwd);
    try {
      expect((await send(links.approve)).status).toBe(410);
    } finally {
      await after.stop();
    }
  });

  it('a held draft replaced by the next: the old links say so', async () => {
    const port = await freePort();
    const cwd = project('auto', { port });
    await cli(cwd, 'draft');
    const old = reviewLinks(await newestPreflight(cwd));
    await cli(cwd, 'hold');
    passSendTime(cwd);
    setPosts(cwd, [rawPost(3, 1), rawPost(2, 2), rawPost(1, 3)]);
    await cli(cwd, 'draft');
    const served = await startServe(cwd);
    try {
      const page = await send(old.approve);
      expect(page.status).toBe(409);
      expect(page.body).toMatch(/earlier draft/);
    } finally {
      await served.stop();
    }
  });
});

describe('config', () => {
  it('review needs a schedule, and names the key', async () => {
    const cwd = makeProject({ posts: [rawPost(2, 1)], config: { review: { to: AUTHOR } } });
    const result = await cli(cwd, 'draft');
    expect(result.code).not.toBe(0);
    expect(result.all).toMatch(/review: needs schedule/);
  });

  it('without review, send composes and sends as before and draft says what to add', async () => {
    const cwd = makeProject({ posts: [rawPost(2, 1)] });
    const result = await cli(cwd, 'draft');
    expect(result.code).toBe(2);
    expect(result.all).toMatch(/has no "review" key/);
    expect((await cli(cwd, 'send')).code).toBe(0);
    expect(issueMails(cwd)).toHaveLength(2);
  });
});
