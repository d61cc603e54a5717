/**
 * The digest's HTML against caniemail's client-support data (the npm package doiuse-email): no feature that
 * Gmail (desktop, iOS, Android), Apple Mail, Outlook.com or Yahoo does not support, beyond the allow-list
 * below, which docs/guide.md ("In mail clients") repeats with the same reasons.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DoIUseEmail } from 'doiuse-email';
import { edgeCaseProject, previewHtml } from '../helpers/email-page';
import { PLACEHOLDER, shippedRenderer } from '../helpers/factories';
import { issueWithNote } from '../helpers/note';

const CLIENTS = [
  'gmail.desktop-webmail',
  'gmail.ios',
  'gmail.android',
  'apple-mail.macos',
  'apple-mail.ios',
  'outlook.outlook-com',
  'yahoo.desktop-webmail',
  'yahoo.ios',
  'yahoo.android',
];

/** Unsupported in some of those clients, and harmless: each comes from MJML's own markup. */
const ALLOWED: Record<string, { clients: RegExp; reason: string }> = {
  '<body> element': {
    clients: /^yahoo\./,
    reason: "Yahoo's apps replace <body> with a <div>; MJML repeats the page background on the wrapper inside it.",
  },
  'aria-label attribute': {
    clients: /^yahoo\./,
    reason:
      'Yahoo drops the label MJML puts on the wrapper (the subject, for screen readers); the mail reads the same.',
  },
  opacity: {
    clients: /^yahoo\./,
    reason: "part of MJML's hidden preheader, which display:none (supported by Yahoo) keeps hidden anyway.",
  },
  overflow: {
    clients: /^yahoo\./,
    reason: "part of MJML's hidden preheader, which display:none (supported by Yahoo) keeps hidden anyway.",
  },
  'word-break': {
    clients: /^yahoo\./,
    reason: "MJML's break-word on text cells; without it only a single word wider than the screen could overflow.",
  },
  'Chaining selectors': {
    clients: /^outlook\.outlook-com$/,
    reason:
      "doiuse counts any selector naming two classes as chaining (.a.b); the only one is MJML's Thunderbird rule " +
      '`.moz-text-html .mj-column-per-100`, a descendant selector for a column that is full width anyway.',
  },
};

/** `feature → clients` that doiuse-email reports as not supporting it. */
function unsupported(html: string): Map<string, Set<string>> {
  const checker = new DoIUseEmail({ emailClients: CLIENTS });
  // caniemail has Outlook.com's results, but doiuse-email 0.4.1 leaves it out of the clients it lets you name.
  checker.emailClients = [...new Set([...checker.emailClients, 'outlook.outlook-com' as never])];
  expect(checker.emailClients.length).toBe(CLIENTS.length);
  const result = checker.check(html);
  const found = new Map<string, Set<string>>();
  for (const error of result.success ? [] : result.errors) {
    const m = /^`(.+)` is not supported by `(.+)`$/.exec(error);
    if (!m?.[1] || !m[2]) throw new Error(`unexpected doiuse-email message: ${error}`);
    found.set(m[1], (found.get(m[1]) ?? new Set()).add(m[2]));
  }
  return found;
}

let sample: string;
let edge: string;
let noted: string;
/** The note's links take their colours from a <style> of their own, in an issue that has one. */
const NOTE = 'A *quiet* week, **one** story: [the post](https://example.org/post).\n\nA second paragraph.';

beforeAll(async () => {
  [sample, edge, noted] = await Promise.all([
    previewHtml(mkdtempSync(path.join(tmpdir(), 'pd-clients-'))),
    previewHtml(edgeCaseProject()),
    shippedRenderer().then((render) => render(issueWithNote(NOTE), PLACEHOLDER).html),
  ]);
}, 120_000);

describe('the digest HTML in Gmail, Apple Mail, Outlook.com and Yahoo (caniemail data)', () => {
  it.each([
    ['sample', () => sample],
    ['edge cases', () => edge],
    ['note of the day', () => noted],
  ])('uses nothing unsupported beyond the allow-list, in the %s issue', (_, html) => {
    const found = unsupported(html());
    const notAllowed = [...found].flatMap(([feature, clients]) =>
      [...clients]
        .filter((client) => !ALLOWED[feature]?.clients.test(client))
        .map((client) => `${feature} in ${client}`),
    );
    expect(notAllowed).toEqual([]);
    // Every entry is still needed: the list only shrinks.
    expect(Object.keys(ALLOWED).filter((feature) => !found.has(feature))).toEqual([]);
  });

  it('would report the Google font stylesheet that MJML adds for Roboto', () => {
    const withFont = sample.replace(
      '</head>',
      '<link href="https://fonts.googleapis.com/css?family=Roboto" rel="stylesheet" type="text/css">' +
        '<style type="text/css">@import url(https://fonts.googleapis.com/css?family=Roboto);</style></head>',
    );
    const found = unsupported(withFont);
    expect([...(found.get('<link> element') ?? [])]).toContain('gmail.desktop-webmail');
    expect([...(found.get('@import') ?? [])]).toContain('outlook.outlook-com');
  });

  it('names each allowed feature in docs/guide.md, section "In mail clients"', () => {
    const guide = readFileSync(path.resolve(__dirname, '../../docs/guide.md'), 'utf8');
    const start = guide.indexOf('## In mail clients');
    expect(start).toBeGreaterThan(0);
    const section = guide.slice(start, guide.indexOf('\n## ', start + 1));
    for (const feature of Object.keys(ALLOWED)) expect(section).toContain(`\`${feature}\``);
  });
});
