import { displayHost, isWebUrl, normalizeUrl } from '../../../lambda/core/url';

describe('normalizeUrl', () => {
  it.each([
    ['HTTPS://Example.COM/a/', 'https://example.com/a'],
    ['https://example.com:443/a', 'https://example.com/a'],
    ['http://example.com:80/a', 'https://example.com/a'],
    ['https://example.com/a#section-2', 'https://example.com/a'],
    ['https://example.com/a?utm_source=x&utm_medium=email&id=7', 'https://example.com/a?id=7'],
    ['https://example.com/a?b=2&a=1', 'https://example.com/a?a=1&b=2'],
  ])('treats %s as the same link as %s', (a, b) => {
    expect(normalizeUrl(a)).toBe(normalizeUrl(b));
  });

  it.each([
    ['https://example.com/a', 'https://example.com/b'],
    ['https://example.com/a?id=1', 'https://example.com/a?id=2'],
    ['https://example.com/A', 'https://example.com/a'],
    ['https://example.com:8080/a', 'https://example.com/a'],
  ])('keeps %s and %s apart', (a, b) => {
    expect(normalizeUrl(a)).not.toBe(normalizeUrl(b));
  });
});

describe('isWebUrl', () => {
  it.each(['https://example.com/', 'http://example.com/x?y=1'])('accepts %s', (url) => {
    expect(isWebUrl(url)).toBe(true);
  });
  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'mailto:a@example.com',
    'ftp://ftp.gnu.org/',
    'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    'not a url',
    '//example.com/relative',
  ])('rejects %s', (url) => {
    expect(isWebUrl(url)).toBe(false);
  });
});

describe('displayHost', () => {
  it('drops www. and keeps the rest of the host', () => {
    expect(displayHost('https://www.blog.example.co.uk/x')).toBe('blog.example.co.uk');
  });
});
