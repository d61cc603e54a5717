import { emailInScheme, parseFrameName, previewPage } from '../../../lambda/preview/page';

const EMAIL = `<!doctype html><html><head><style>
:root { color-scheme: light dark; }
@media (prefers-color-scheme: dark) { .card { background: #1e1e1e !important; } }
@media screen and (prefers-color-scheme:light) { .x { color: red; } }
</style></head><body><p>(prefers-color-scheme: dark) in text stays</p></body></html>`;

describe('emailInScheme', () => {
  it('a dark frame: the dark rules always apply, the light ones never, and the root is dark', () => {
    const dark = emailInScheme(EMAIL, 'dark');
    expect(dark).toContain('@media (min-width: 0px) { .card { background: #1e1e1e !important; } }');
    expect(dark).toContain('@media screen and (max-width: 0px) { .x');
    expect(dark).toContain('<style>:root { color-scheme: dark !important; }</style></head>');
    expect(dark).toContain('<p>(prefers-color-scheme: dark) in text stays</p>');
  });

  it('a light frame: the other way round', () => {
    const light = emailInScheme(EMAIL, 'light');
    expect(light).toContain('@media (max-width: 0px) { .card');
    expect(light).toContain('@media screen and (min-width: 0px) { .x');
    expect(light).toContain(':root { color-scheme: light !important; }');
  });

  it('an email without a head still gets the scheme', () => {
    expect(emailInScheme('<p>hi</p>', 'dark')).toBe('<style>:root { color-scheme: dark !important; }</style><p>hi</p>');
  });
});

describe('previewPage', () => {
  const base = {
    version: 7,
    title: 'My Links',
    status: 'build 7',
    watching: [{ label: 'templates', path: '/p/templates' }],
    notes: [],
    stale: false,
  };
  const issue = {
    issue: 3,
    subject: 'My Links #3: <b>2 links</b>',
    preheader: 'A, B',
    summary: '2 links in 1 section',
    text: 'Hello <there>',
    version: 7,
    builtAt: '10:00:00',
  };

  it('shows four sandboxed frames of the version and the escaped text part, with the script as a file', () => {
    const page = previewPage({ ...base, issue });
    expect(page).toContain('data-version="7"');
    expect(page.match(/<iframe [^>]*sandbox=""/g)).toHaveLength(4);
    for (const name of ['phone-light', 'phone-dark', 'desktop-light', 'desktop-dark']) {
      expect(page).toContain(`src="/frame/7/${name}.html"`);
    }
    expect(page).toContain('width="375"');
    expect(page).toContain('width="1024"');
    expect(page).toContain('<pre id="text-part">Hello &lt;there&gt;</pre>');
    expect(page).toContain('My Links #3: &lt;b&gt;2 links&lt;/b&gt;');
    expect(page).toContain('<script src="/live.js" defer></script>');
    expect(page).not.toMatch(/<script>|style="|<style/);
  });

  it('an error: its place and message first, the last good issue under it marked as such', () => {
    const page = previewPage({
      ...base,
      issue: { ...issue, version: 5 },
      stale: true,
      error: { kind: 'Template error', file: '/p/t/digest.mjml', line: 4, message: 'bad <thing>', frame: '> 4 | x' },
    });
    expect(page).toContain('<h1 id="heading">Build failed</h1>');
    expect(page).toContain('<code id="error-where">/p/t/digest.mjml:4</code>');
    expect(page).toContain('bad &lt;thing&gt;');
    expect(page).toContain('Showing the last good build, from 10:00:00');
    expect(page).toContain('src="/frame/5/phone-dark.html"');
  });

  it('a refresh button only for network sources that may be asked again', () => {
    expect(previewPage({ ...base, issue })).not.toContain('/refresh');
    expect(previewPage({ ...base, issue, network: { fetched: '10:00:00', canRefresh: true } })).toContain(
      '<form method="post" action="/refresh">',
    );
    expect(previewPage({ ...base, issue, network: { fetched: '10:00:00', canRefresh: false } })).not.toContain('<form');
  });
});

describe('parseFrameName', () => {
  it('knows the four frames and nothing else', () => {
    expect(parseFrameName('phone-dark.html')).toMatchObject({ device: { width: 375 }, scheme: 'dark' });
    expect(parseFrameName('desktop-light.html')).toMatchObject({ device: { width: 1024 }, scheme: 'light' });
    expect(parseFrameName('../secret')).toBeUndefined();
    expect(parseFrameName('tablet-dark.html')).toBeUndefined();
  });
});
