import { parseConfig } from '../../../lambda/config';
import { isLoopbackUrl, siteBase, siteUrlProblem } from '../../../lambda/core/site-url';

const config = (siteUrl: string) => ({
  title: 'T',
  siteUrl,
  from: 'T <t@t.example>',
  source: { type: 'file', path: 'b.json' },
  transport: { type: 'outbox', dir: 'outbox' },
});

describe('siteUrl', () => {
  it('takes https anywhere and plain http only on this machine', () => {
    for (const ok of [
      'https://links.example.com',
      'http://127.0.0.1:8080',
      'http://localhost:8080/',
      'http://[::1]:9',
    ]) {
      expect(siteUrlProblem(ok)).toBeUndefined();
      expect(parseConfig(config(ok), 'c.json').siteUrl).toBe(ok);
    }
    expect(() => parseConfig(config('http://links.example.com'), 'c.json')).toThrow(
      /siteUrl: must be https \(plain http only for http:\/\/127\.0\.0\.1:PORT or http:\/\/localhost:PORT/,
    );
    expect(siteUrlProblem('ftp://x.example')).toBe('must be an http(s) URL');
    expect(isLoopbackUrl('http://localhost.example.com')).toBe(false);
    expect(isLoopbackUrl('https://127.0.0.1')).toBe(true);
  });

  it('is the base of every link with its trailing slashes cut, and nothing else changed', () => {
    expect(siteBase('https://links.example.com/')).toBe('https://links.example.com');
    expect(siteBase('https://links.example.com/digest//')).toBe('https://links.example.com/digest');
    expect(siteBase('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
  });

  it('defaults the subscription settings: no mailto (none read by SES), 20 sign-ups an hour per IP, 5 a day per address', () => {
    expect(parseConfig(config('https://x.example'), 'c.json').subscriptions).toEqual({
      mailtoUnsubscribe: false,
      receiveReplies: false,
      perIpPerHour: 20,
      perAddressPerDay: 5,
    });
    expect(() => parseConfig({ ...config('https://x.example'), subscriptions: { perIpPerHour: 0 } }, 'c.json')).toThrow(
      /subscriptions\.perIpPerHour/,
    );
  });
});
