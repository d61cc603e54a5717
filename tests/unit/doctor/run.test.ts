import { type Check, fail, pass, warn } from '../../../lambda/doctor/check';
import { formatJson, formatText } from '../../../lambda/doctor/format';
import { runChecks } from '../../../lambda/doctor/run';

const check = (id: string, run: Check['run']): Check => ({ id, title: id.toUpperCase(), fix: `fix ${id}`, run });

describe('runChecks', () => {
  it('keeps the order of the checks, flattens several results, and fails a check that throws', async () => {
    const results = await runChecks(
      [
        check('slow', () => new Promise((r) => setTimeout(() => r(pass('slow', 'SLOW', 'done')), 30))),
        check('many', async () => [pass('a', 'A', 'x'), warn('b', 'B', 'y', 'do y')]),
        check('throws', async () => {
          throw new Error('boom');
        }),
      ],
      { timeoutMs: 1000 },
    );
    expect(results.map((r) => `${r.id}:${r.status}`)).toEqual(['slow:pass', 'a:pass', 'b:warn', 'throws:fail']);
    expect(results[3]).toMatchObject({ detail: 'boom', fix: 'fix throws' });
  });

  it('fails a check that takes too long, with its fix, and aborts its probe', async () => {
    let aborted = false;
    const started = Date.now();
    const [result] = await runChecks(
      [
        check(
          'hangs',
          (signal) =>
            new Promise(() => {
              signal.addEventListener('abort', () => {
                aborted = true;
              });
            }),
        ),
      ],
      { timeoutMs: 50 },
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ status: 'fail', detail: 'no answer within 0.05 s', fix: 'fix hangs' });
    expect(aborted).toBe(true);
  });

  it("blanks secrets wherever they appear: whole, each rotated key, a token's HEX part", async () => {
    const token = 'curator:0123456789ABCDEF';
    const keys = `${'n'.repeat(32)} ${'o'.repeat(32)}`;
    const [result] = await runChecks(
      [
        check('leaky', async () =>
          fail('leaky', 'L', `url?auth_token=${token} and 0123456789ABCDEF and ${'o'.repeat(32)}`, `not ${keys}`),
        ),
      ],
      { timeoutMs: 1000, secrets: [token, keys, undefined, 'short'] },
    );
    expect(result?.detail).toBe('url?auth_token=… and … and …');
    expect(result?.fix).toBe('not …');
  });
});

describe('format', () => {
  const results = [
    pass('config', 'Config', 'parses'),
    warn('ses-sandbox', 'SES sandbox', 'in the\nsandbox', 'request access'),
    fail('store', 'Store', 'not writable', 'use --state'),
    { id: 'dns', title: 'SPF and DMARC', status: 'skip' as const, detail: 'outbox' },
  ];

  it('prints one line a check with its mark and fix, then the tally', () => {
    expect(formatText(results)).toEqual([
      '✔ Config: parses',
      '⚠ SES sandbox: in the sandbox — fix: request access',
      '✗ Store: not writable — fix: use --state',
      '– SPF and DMARC: outbox',
      '',
      '1 passed, 1 to look at, 1 failed, 1 not applicable: fix the ✗ lines above, then run doctor again.',
    ]);
  });

  it('gives scripts ok, counts and every check', () => {
    const json = JSON.parse(formatJson(results));
    expect(json).toMatchObject({ ok: false, counts: { pass: 1, warn: 1, fail: 1, skip: 1 } });
    expect(json.checks).toHaveLength(4);
    expect(JSON.parse(formatJson(results.slice(0, 2))).ok).toBe(true);
  });
});
