import { createHash } from 'node:crypto';
import { MAX_NOTE_CHARS } from '../../../lambda/core/note';
import type { ReviewPurpose } from '../../../lambda/core/review';
import { createToken } from '../../../lambda/core/tokens';
import {
  REVIEW_CONTENT_SECURITY_POLICY,
  REVIEW_STYLE_HASH,
  type ReviewConfirmInput,
  type ReviewRefusal,
  reviewConfirmPage,
  reviewDonePage,
  reviewRefusedPage,
} from '../../../lambda/render/review-pages';
import { CONTENT_SECURITY_POLICY, STYLE_HASH } from '../../../lambda/render/subscription-pages';
import { decodeEntities } from '../../helpers/draft-fixture';
import { SECRET } from '../../helpers/factories';

const TOKEN = createToken(
  SECRET,
  'review-approve',
  'draftId0123456789abcdefTagTagTagTagTag',
  Date.UTC(2026, 10, 28, 7),
);
const HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>';

const confirm = (overrides: Partial<ReviewConfirmInput> = {}) =>
  reviewConfirmPage({
    purpose: 'approve',
    token: TOKEN,
    action: '/review/approve',
    issue: 3,
    subject: 'Test Digest #3: 12 links',
    sendAtLabel: 'Saturday, November 28, 2026 at 7:00 AM (Europe/London)',
    state: 'draft',
    ...overrides,
  });

/** The page's visible words, a line per paragraph, heading or button. */
const words = (page: string) =>
  decodeEntities(
    (page.split('<body>')[1] ?? '').replace(/<\/(p|h1|button|label|textarea)>/g, '\n').replace(/<[^>]+>/g, ''),
  )
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');

const count = (page: string, re: RegExp) => page.match(re)?.length ?? 0;

describe('reviewConfirmPage', () => {
  it.each([
    ['approve', 'Approve issue #3?', 'Approve issue #3', 'The button approves it: it goes out Saturday'],
    ['hold', 'Hold issue #3?', 'Hold issue #3', 'The button holds it: it does not go out Saturday'],
    ['note', 'A note for issue #3', 'Save the note', 'The button saves the note: it is shown above the links'],
  ] as const)(
    '%s: one form that POSTs the token as t, with one button that says what it does',
    (purpose, heading, label, does) => {
      const page = confirm({ purpose, action: `/review/${purpose}` });
      expect(count(page, /<form\b/g)).toBe(1);
      expect(count(page, /<button\b/g)).toBe(1);
      expect(count(page, /<input\b/g)).toBe(1);
      expect(page).toContain(`<form method="post" action="/review/${purpose}">`);
      expect(page).toContain(`<input type="hidden" name="t" value="${TOKEN}">`);
      expect(page).toContain(`<button type="submit">${label}</button>`);
      expect(page).not.toMatch(/<script|<a\b|onclick|javascript:/i);
      const said = words(page);
      expect(said.split('\n')[0]).toBe(heading);
      expect(said).toContain('Subject: Test Digest #3: 12 links');
      expect(said).toContain('Goes out Saturday, November 28, 2026 at 7:00 AM (Europe/London).');
      expect(said).toContain('Not decided yet.');
      expect(said).toContain(does);
      expect(said).toContain('Nothing has changed yet: only the button does it.');
      // The token is only in the hidden field, never in what the page says.
      expect(count(page, new RegExp(TOKEN.replace(/[.]/g, '\\.'), 'g'))).toBe(1);
      expect(said).not.toContain(TOKEN);
      expect(count(page, /<textarea\b/g)).toBe(purpose === 'note' ? 1 : 0);
    },
  );

  it('gives the note a labelled text box with the current note, its limit and a line on the markup it takes', () => {
    const page = confirm({
      purpose: 'note',
      action: '/review/note',
      note: 'Hello *you*\n\nSecond paragraph',
      state: 'approved',
    });
    expect(page).toContain('<label for="note">Your note</label>');
    expect(page).toContain(
      `<textarea id="note" name="note" rows="8" maxlength="${MAX_NOTE_CHARS}" aria-describedby="note-help">\nHello *you*\n\nSecond paragraph</textarea>`,
    );
    expect(MAX_NOTE_CHARS).toBe(2000);
    const said = words(page);
    expect(said).toContain(
      'Plain text, or: paragraphs (a blank line between them), *emphasis*, **strong** and [links](https://…). Up to 2,000 characters.',
    );
    expect(said).toContain('Approved already.');
    // With no note the box starts empty (the newline after the tag is not part of the value).
    expect(confirm({ purpose: 'note' })).toContain('aria-describedby="note-help">\n</textarea>');
  });

  it('says the state of the draft', () => {
    expect(words(confirm({ state: 'held' }))).toContain('Held now: as it stands it does not go out.');
    expect(words(confirm({ state: 'replaced' }))).toContain('Replaced by a newer draft.');
  });

  it('escapes a hostile subject, note, token and action', () => {
    const page = confirm({
      purpose: 'note',
      subject: HOSTILE,
      note: `</textarea>${HOSTILE}`,
      token: 'a"b><script>',
      action: '/review/note" onsubmit="x',
    });
    expect(page).not.toMatch(/<script|<img|<\/textarea><|onsubmit="/);
    expect(count(page, /<\/textarea>/g)).toBe(1);
    expect(page).toContain('value="a&quot;b&gt;&lt;script&gt;"');
    expect(words(page)).toContain(`Subject: ${HOSTILE}`);
    expect(page).toContain(`>\n&lt;/textarea&gt;&quot;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;`);
  });

  it('is a page in the subscription pages’ shell, without the readers’ sign-up footer', () => {
    const page = confirm({ site: { title: 'My <Links>' } });
    expect(page).toMatch(/^<!doctype html><html lang="en"><head><meta charset="utf-8">/);
    expect(page).toContain('<title>Approve issue #3? · My &lt;Links&gt;</title>');
    expect(page).toContain('<main><div class="card"><h1>Approve issue #3?</h1>');
    expect(page).not.toContain('<footer>');
    expect(confirm()).toContain('<title>Approve issue #3? · Review</title>');
  });
});

describe('the review pages’ stylesheets and policy', () => {
  const hashes = (page: string) =>
    [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
      (m) =>
        `sha256-${createHash('sha256')
          .update(m[1] ?? '')
          .digest('base64')}`,
    );

  it('carry the readers’ stylesheet and their own, each allowed by its hash in REVIEW_CONTENT_SECURITY_POLICY', () => {
    const pages = [
      confirm({ purpose: 'note' }),
      reviewDonePage({ purpose: 'hold', issue: 3, lines: ['x'] }),
      reviewRefusedPage('gone'),
    ];
    for (const page of pages) {
      expect(hashes(page)).toEqual([STYLE_HASH, REVIEW_STYLE_HASH]);
    }
    expect(REVIEW_CONTENT_SECURITY_POLICY).toBe(
      CONTENT_SECURITY_POLICY.replace(`style-src '${STYLE_HASH}'`, `style-src '${STYLE_HASH}' '${REVIEW_STYLE_HASH}'`),
    );
    expect(REVIEW_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(REVIEW_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|script-src/);
  });
});

describe('reviewDonePage', () => {
  it.each([
    ['approve', 'Issue #3 approved'],
    ['hold', 'Issue #3 held'],
    ['note', 'The note of issue #3'],
  ] as const)('%s: says what happened, a paragraph a line, escaped', (purpose: ReviewPurpose, heading) => {
    const page = reviewDonePage({
      purpose,
      issue: 3,
      lines: [
        'Approved. Issue #3 goes out Saturday at 07:00.',
        `What changed since the draft: 1 link added: "${HOSTILE}"`,
      ],
    });
    expect(words(page)).toBe(
      `${heading}\nApproved. Issue #3 goes out Saturday at 07:00.\nWhat changed since the draft: 1 link added: "${HOSTILE}"`,
    );
    expect(page).not.toMatch(/<script|<img|<form|<button/);
  });
});

describe('reviewRefusedPage', () => {
  const reasons: [ReviewRefusal, string, string][] = [
    ['malformed', 'This link is incomplete', 'Open it again from the preflight message, whole.'],
    ['forged', 'This link is not valid', 'It was not made by this digest'],
    ['expired', 'This link has expired', 'This link stopped working at the send time.'],
    [
      'other-draft',
      'This link is for an earlier draft',
      'This link is for an earlier draft; use the newest preflight.',
    ],
    ['gone', 'This draft is no longer open', 'This draft has already been sent or replaced.'],
  ];

  it.each(reasons)('%s: a page of its own that says why and what to do, with no form', (reason, heading, why) => {
    const page = reviewRefusedPage(reason);
    const said = words(page);
    expect(said.split('\n')[0]).toBe(heading);
    expect(said).toContain(why);
    expect(said).toContain('Nothing was changed.');
    expect(page).not.toMatch(/<form|<input|<button|<textarea/);
  });

  it('differs for each reason', () => {
    expect(new Set(reasons.map(([r]) => reviewRefusedPage(r))).size).toBe(reasons.length);
  });

  it('shows the detail escaped, and never a token, even when the detail holds one', () => {
    const page = reviewRefusedPage('gone', `issue #3 is already going out <b>now</b> (token ${TOKEN})`);
    expect(words(page)).toContain('issue #3 is already going out <b>now</b> (token …)');
    expect(page).not.toContain('<b>');
    for (const part of TOKEN.split('.').filter((p) => p.length >= 6)) expect(page).not.toContain(part);
    expect(TOKEN.length).toBeGreaterThan(40);
  });
});
