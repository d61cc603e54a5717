/**
 * The pages behind the preflight's links (Approve, Hold, Add a note), in the subscription pages' shell and
 * stylesheet (subscription-pages.ts): no JavaScript, every value escaped, forms that POST. A GET shows a page
 * with one button that says what it will do; only the button acts (mail scanners follow every link). Pages
 * are in English, for the author.
 *
 * The note's text box needs a few rules the readers' pages have no use for; they are a second inline
 * stylesheet, allowed by its own hash: serve these pages with REVIEW_CONTENT_SECURITY_POLICY (which allows
 * both stylesheets, so it can stand for CONTENT_SECURITY_POLICY on every page). Under the readers' policy
 * alone the pages still work and read well; the text box is then the browser's own.
 */
import { MAX_NOTE_CHARS } from '../core/note';
import type { DraftState, ReviewPurpose } from '../core/review';
import { html, type PageSite, page, policyParts, STYLE_HASH, styleHashOf } from './subscription-pages';

const REVIEW_CSS = `
textarea { display: block; width: 100%; min-height: 12rem; padding: 10px 12px; font: inherit; color: var(--text);
  background: var(--card); border: 1px solid var(--line); border-radius: 6px; resize: vertical; }
textarea:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.facts { margin: 12px 0; padding: 0 0 0 12px; border-left: 3px solid var(--line); }
.facts p { margin: 4px 0; }
`.trim();

/** The review pages' own stylesheet's hash (they carry the readers' one too). */
export const REVIEW_STYLE_HASH = styleHashOf(REVIEW_CSS);

/** The subscription API's policy with the review stylesheet allowed as well. */
export const REVIEW_CONTENT_SECURITY_POLICY = policyParts([STYLE_HASH, REVIEW_STYLE_HASH]).join('; ');

/** What the pages need of the site: the digest's title for the window title (default "Review"). */
export interface ReviewSite {
  title?: string;
}

const siteOf = (site: ReviewSite | undefined): PageSite => ({ title: site?.title ?? 'Review', lang: 'en' });

const reviewPage = (site: ReviewSite | undefined, heading: string, content: ReturnType<typeof html>) =>
  page(siteOf(site), heading, content, { footer: false, extraCss: REVIEW_CSS });

export interface ReviewConfirmInput {
  purpose: ReviewPurpose;
  /** The link's token: sent back as the hidden field `t`, never shown. */
  token: string;
  /** Where the form POSTs (`/review/approve`). */
  action: string;
  issue: number;
  subject: string;
  /** The send time as the author reads it (preflight.ts `sendAtLabel`). */
  sendAtLabel: string;
  state: DraftState;
  /** The current note, as written: the text box starts with it. */
  note?: string;
  site?: ReviewSite;
}

const STATE_NOW: Record<DraftState, string> = {
  draft: 'Not decided yet.',
  approved: 'Approved already.',
  held: 'Held now: as it stands it does not go out.',
  sent: 'Already sent.',
  replaced: 'Replaced by a newer draft.',
};

const HEADING: Record<ReviewPurpose, (issue: number) => string> = {
  approve: (n) => `Approve issue #${n}?`,
  hold: (n) => `Hold issue #${n}?`,
  note: (n) => `A note for issue #${n}`,
};

const BUTTON: Record<ReviewPurpose, (issue: number) => string> = {
  approve: (n) => `Approve issue #${n}`,
  hold: (n) => `Hold issue #${n}`,
  note: () => 'Save the note',
};

const WHAT_IT_DOES: Record<ReviewPurpose, (when: string) => string> = {
  approve: (when) =>
    `The button approves it: it goes out ${when}. If your bookmarks changed since the draft, it is composed again first and the next page says what changed.`,
  hold: (when) =>
    `The button holds it: it does not go out ${when}, and its links go into the next draft. You can still approve it before then.`,
  note: () =>
    'The button saves the note: it is shown above the links, and you get a fresh preflight. Nothing goes out now.',
};

/**
 * GET of a review link: what the draft is, what the one button will do, and the button (a form that POSTs
 * to `action` with the token as `t`); for `note`, a labelled text box with the current note. The page
 * itself changes nothing.
 */
export function reviewConfirmPage(input: ReviewConfirmInput): string {
  const { purpose, issue } = input;
  const noteField =
    purpose === 'note'
      ? html`<label for="note">Your note</label>
<textarea id="note" name="note" rows="8" maxlength="${MAX_NOTE_CHARS}" aria-describedby="note-help">
${input.note ?? ''}</textarea>
<p id="note-help" class="small">Plain text, or: paragraphs (a blank line between them), *emphasis*, **strong** and [links](https://…). Up to ${MAX_NOTE_CHARS.toLocaleString('en')} characters.</p>
`
      : '';
  return reviewPage(
    input.site,
    HEADING[purpose](issue),
    html`<div class="facts"><p>Subject: ${input.subject}</p>
<p>Goes out ${input.sendAtLabel}.</p>
<p>${STATE_NOW[input.state]}</p></div>
<p>${WHAT_IT_DOES[purpose](input.sendAtLabel)}</p>
<form method="post" action="${input.action}">
<input type="hidden" name="t" value="${input.token}">
${noteField}<button type="submit">${BUTTON[purpose](issue)}</button>
</form>
<p class="small">Nothing has changed yet: only the button does it.</p>`,
  );
}

const DONE: Record<ReviewPurpose, (issue: number) => string> = {
  approve: (n) => `Issue #${n} approved`,
  hold: (n) => `Issue #${n} held`,
  note: (n) => `The note of issue #${n}`,
};

/** After the button: what happened, a paragraph a line ("Approved. Issue #3 goes out …", what changed). */
export function reviewDonePage(input: {
  purpose: ReviewPurpose;
  issue: number;
  lines: string[];
  site?: ReviewSite;
}): string {
  return reviewPage(input.site, DONE[input.purpose](input.issue), html`${input.lines.map((l) => html`<p>${l}</p>`)}`);
}

export type ReviewRefusal = 'malformed' | 'forged' | 'wrong-purpose' | 'expired' | 'other-draft' | 'gone' | 'busy';

const REFUSED: Record<ReviewRefusal, { heading: string; paragraphs: string[] }> = {
  malformed: {
    heading: 'This link is incomplete',
    paragraphs: [
      'Part of the link is missing or changed, as happens when a mail program breaks a long link over two lines.',
      'Open it again from the preflight message, whole. Nothing was changed.',
    ],
  },
  forged: {
    heading: 'This link is not valid',
    paragraphs: [
      'It was not made by this digest, or it was made with a signing key that is no longer in use.',
      'Use the links in your newest preflight message. Nothing was changed.',
    ],
  },
  'wrong-purpose': {
    heading: 'This link is for another button',
    paragraphs: [
      'It is a genuine link of your preflight, but for another of its actions than this page (hold, not approve, say).',
      'Use the link of the action you want, from the preflight message. Nothing was changed.',
    ],
  },
  busy: {
    heading: 'Busy just now',
    paragraphs: [
      'The digest is working on this issue at this moment (another action on the draft, or its send). Nothing was changed.',
      'Try again in a minute.',
    ],
  },
  expired: {
    heading: 'This link has expired',
    paragraphs: [
      'This link stopped working at the send time. Nothing was changed.',
      'The issue went out, or did not, as the draft stood at that time.',
    ],
  },
  'other-draft': {
    heading: 'This link is for an earlier draft',
    paragraphs: [
      'This link is for an earlier draft; use the newest preflight.',
      'A newer draft of this issue was made and mailed to you since. Nothing was changed.',
    ],
  },
  gone: {
    heading: 'This draft is no longer open',
    paragraphs: ['This draft has already been sent or replaced. Nothing was changed.'],
  },
};

/**
 * A run of token characters (base64url and dots) as long as a token's signature alone (22): cut out of
 * `detail`, whatever it holds, so no page shows a token or a large part of one.
 */
const TOKEN_LIKE = /[A-Za-z0-9_~.-]{20,}/g;

/**
 * A link refused: why, per reason, and what to do. `detail` (the caller's words) is shown too, with anything
 * that looks like a token cut out; the page takes no token and has no form.
 */
export function reviewRefusedPage(reason: ReviewRefusal, detail?: string, site?: ReviewSite): string {
  const { heading, paragraphs } = REFUSED[reason];
  const extra = detail?.replace(TOKEN_LIKE, '…').trim();
  return reviewPage(site, heading, html`${[...paragraphs, ...(extra ? [extra] : [])].map((p) => html`<p>${p}</p>`)}`);
}
