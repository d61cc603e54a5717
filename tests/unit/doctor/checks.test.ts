import { judgeDmarc, judgeSpf } from '../../../lambda/doctor/checks/dns';
import { judgePinboardToken } from '../../../lambda/doctor/checks/pinboard-token';
import { judgeSesAccount, judgeSesIdentity, sesErrorFix } from '../../../lambda/doctor/checks/ses';
import { judgeSigningSecret } from '../../../lambda/doctor/checks/signing-secret';
import { judgeSite, judgeUnsubscribeRoute } from '../../../lambda/doctor/checks/site';
import type { PageFacts, SesAccountFacts, SesIdentityFacts } from '../../../lambda/doctor/ports';

describe('SPF', () => {
  it.each([
    [[], 'fail', /has no SPF record/],
    [['v=spf1 include:amazonses.com ~all', 'v=spf1 -all'], 'fail', /2 SPF records/],
    [['v=spf1 +all'], 'fail', /lets anyone send/],
    [['v=spf1 include:amazonses.com all'], 'fail', /lets anyone send/],
    [['v=spf1 include:_spf.google.com ~all'], 'warn', /does not name amazonses.com/],
    [
      ['google-site-verification=x', 'v=spf1 include:amazonses.com -all'],
      'pass',
      /"v=spf1 include:amazonses.com -all"/,
    ],
  ])('%j → %s', (records, status, detail) => {
    const result = judgeSpf('links.example', records, true);
    expect(result.status).toBe(status);
    expect(result.detail).toMatch(detail);
    if (status !== 'pass') expect(result.fix).toContain('v=spf1 include:amazonses.com ~all');
  });

  it('does not ask for amazonses.com when SES does not send', () => {
    expect(judgeSpf('links.example', ['v=spf1 mx ~all'], false).status).toBe('pass');
  });
});

describe('DMARC', () => {
  it.each([
    [[], 'fail', /no DMARC record/],
    [['v=DMARC1; p=none', 'v=DMARC1; p=reject'], 'fail', /2 DMARC records/],
    [['v=DMARC1; rua=mailto:x@links.example'], 'fail', /no valid policy/],
    [['v=DMARC1; p=maybe'], 'fail', /no valid policy/],
    [['v=DMARC1; p=none; rua=mailto:x@links.example'], 'pass', /monitoring only/],
    [['v=DMARC1;p=reject'], 'pass', /p=reject"$/],
  ])('%j → %s', (records, status, detail) => {
    const result = judgeDmarc('links.example', records);
    expect(result).toMatchObject({ id: 'dns-dmarc', status });
    expect(result.detail).toMatch(detail);
  });
});

describe('signing secret', () => {
  const long = 'k'.repeat(40);
  it('is optional with the outbox and required with SES', () => {
    expect(judgeSigningSecret(undefined, 'outbox', '/s').status).toBe('pass');
    expect(judgeSigningSecret('  ', 'ses', '/s')).toMatchObject({ status: 'fail', fix: expect.stringContaining('32') });
  });

  it('fails a short key, warns of spaces that are no rotation, passes rotated keys; never shows the key', () => {
    const short = judgeSigningSecret('s3cr3t-but-short', 'ses', '/s');
    expect(short).toMatchObject({ status: 'fail', detail: expect.stringContaining('16 characters') });
    const spaced = judgeSigningSecret(`${long} short`, 'ses', '/s');
    expect(spaced.status).toBe('warn');
    const rotated = judgeSigningSecret(`${long} ${'o'.repeat(33)} ${'p'.repeat(34)}`, 'ses', '/s');
    expect(rotated).toMatchObject({ status: 'pass', detail: expect.stringContaining('2 older keys still verify') });
    for (const r of [short, spaced, rotated]) expect(JSON.stringify(r)).not.toMatch(/kkkk|s3cr3t|oooo/);
  });
});

describe('SES identity', () => {
  const domain = (facts: Partial<SesIdentityFacts>): SesIdentityFacts => ({
    identity: 'links.example',
    type: 'DOMAIN',
    verifiedForSending: true,
    verificationStatus: 'SUCCESS',
    dkimStatus: 'SUCCESS',
    dkimSigningEnabled: true,
    ...facts,
  });
  const from = 'Links <digest@links.example>';

  it('passes a verified domain that signs with DKIM', () => {
    expect(judgeSesIdentity(from, domain({}), undefined).status).toBe('pass');
  });

  it.each([
    [{ verifiedForSending: false, verificationStatus: 'PENDING' }, /not verified for sending \(status PENDING\)/],
    [{ dkimStatus: 'FAILED' }, /DKIM is FAILED/],
    [{ dkimSigningEnabled: false }, /DKIM is not signing/],
  ])('fails %j', (facts, detail) => {
    expect(judgeSesIdentity(from, domain(facts), undefined)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(detail),
    });
  });

  it('warns of a custom MAIL FROM that is not set up, and of an address verified without its domain', () => {
    expect(
      judgeSesIdentity(from, domain({ mailFromDomain: 'mail.links.example', mailFromStatus: 'PENDING' }), undefined)
        .status,
    ).toBe('warn');
    const address = domain({ identity: 'digest@links.example', type: 'EMAIL_ADDRESS' });
    expect(judgeSesIdentity(from, undefined, address)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('DMARC alignment fails'),
    });
  });

  it('fails when neither exists, or the address waits for its verification mail', () => {
    expect(judgeSesIdentity(from, undefined, undefined).detail).toMatch(
      /neither links.example nor digest@links.example/,
    );
    const waiting = domain({ identity: 'digest@links.example', type: 'EMAIL_ADDRESS', verifiedForSending: false });
    expect(judgeSesIdentity(from, undefined, waiting)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('waiting'),
    });
  });

  it('names the fix for credentials, region and permission errors', () => {
    expect(sesErrorFix({ name: 'CredentialsProviderError', message: 'Could not load credentials' })).toMatch(
      /AWS_PROFILE/,
    );
    expect(sesErrorFix({ message: 'Region is missing' })).toMatch(/AWS_REGION/);
    expect(sesErrorFix({ name: 'AccessDeniedException', message: 'not authorized' })).toMatch(/ses:GetAccount/);
  });
});

describe('SES account', () => {
  const healthy: SesAccountFacts = {
    sendingEnabled: true,
    productionAccessEnabled: true,
    enforcementStatus: 'HEALTHY',
    maxSendRate: 14,
    max24HourSend: 50_000,
    sentLast24Hours: 0,
  };
  const statuses = (facts: Partial<SesAccountFacts>, rate?: number) =>
    judgeSesAccount({ ...healthy, ...facts }, rate).map((r) => `${r.id}:${r.status}`);

  it('gives three lines: sending, sandbox, quota', () => {
    expect(statuses({})).toEqual(['ses-sending:pass', 'ses-sandbox:pass', 'ses-quota:pass']);
    expect(statuses({ sendingEnabled: false })[0]).toBe('ses-sending:fail');
    expect(statuses({ enforcementStatus: 'SHUTDOWN' })[0]).toBe('ses-sending:fail');
    expect(statuses({ enforcementStatus: 'PROBATION' })[0]).toBe('ses-sending:warn');
    expect(statuses({ productionAccessEnabled: false })[1]).toBe('ses-sandbox:warn');
  });

  it('fails a used-up quota, warns under 20 % left or of a configured rate above the account', () => {
    expect(statuses({ sentLast24Hours: 50_000 })[2]).toBe('ses-quota:fail');
    expect(statuses({ sentLast24Hours: 45_000 })[2]).toBe('ses-quota:warn');
    expect(statuses({ sentLast24Hours: 39_000 })[2]).toBe('ses-quota:pass');
    expect(statuses({}, 20)[2]).toBe('ses-quota:warn');
    expect(judgeSesAccount({ ...healthy, max24HourSend: -1 })[2]?.detail).toContain('no 24-hour limit');
  });
});

describe('site and unsubscribe route', () => {
  const page = (status: number, body = ''): PageFacts => ({ status, contentType: 'text/html', body, ms: 12 });
  const invalid = JSON.stringify({ ok: false, status: 'invalid-link', message: 'This link does not work' });

  it('judges the site by its answer', () => {
    expect(judgeSite('https://links.example', page(200)).status).toBe('pass');
    expect(judgeSite('https://links.example', page(404)).status).toBe('warn');
    expect(judgeSite('https://links.example', page(502)).status).toBe('fail');
    expect(judgeSite('https://links.example', { error: 'ENOTFOUND' }).status).toBe('fail');
  });

  it('notes a local siteUrl: not up with the outbox, at all with SES', () => {
    expect(judgeSite('http://127.0.0.1:8080', { error: 'ECONNREFUSED' })).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('pinboard-digest serve'),
    });
    expect(judgeSite('http://127.0.0.1:8080', page(200), true)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('lead nowhere'),
    });
    expect(judgeUnsubscribeRoute('http://localhost:8080', page(400, invalid), true).status).toBe('warn');
  });

  it("passes only the API's bad-link answer, as JSON or as its page", () => {
    expect(judgeUnsubscribeRoute('https://links.example/', page(400, invalid)).status).toBe('pass');
    expect(judgeUnsubscribeRoute('https://links.example', page(400, '<h1>This link does not work</h1>')).status).toBe(
      'pass',
    );
    const archive = judgeUnsubscribeRoute('https://links.example', page(404, '<h1>Not found</h1>'));
    expect(archive).toMatchObject({ status: 'fail', fix: expect.stringContaining('One address for readers') });
    expect(archive.detail).toContain('GET https://links.example/unsubscribe without a token answers HTTP 404');
    expect(judgeUnsubscribeRoute('https://links.example', page(200, '{"status":"signup"}')).status).toBe('fail');
  });
});

describe('Pinboard token', () => {
  const probe = { user: 'curator', tokenUser: 'curator' };
  it("passes a token that works, warns when it is another user's", () => {
    expect(judgePinboardToken(probe, { updateTime: '2026-11-20T09:00:00Z' }).detail).toContain('2026-11-20 09:00 UTC');
    expect(judgePinboardToken({ ...probe, tokenUser: 'other' }, { updateTime: '2026-11-20T09:00:00Z' }).status).toBe(
      'warn',
    );
  });

  it('fails with the fix the error calls for', () => {
    const refused = judgePinboardToken(probe, { error: 'Pinboard posts/update: Pinboard refused the token (401)' });
    expect(refused.fix).toContain('Settings → Password');
    const limited = judgePinboardToken(probe, {
      error: 'Pinboard posts/update: unexpected HTTP 429: Too Many Requests',
    });
    expect(limited.fix).toContain('3 seconds');
  });
});
