/**
 * The review pages behind the preflight's links, on the subscription API's routes:
 *   GET  /review/approve?t=…   a page with one button (a mail scanner's GET changes nothing)
 *   POST /review/approve       the button (`t` in the form or the URL): approves; past the send time the
 *                              host sends at once (`onLate`)
 *   GET  /review/hold?t=…, POST /review/hold        the same for hold
 *   GET  /review/note?t=…, POST /review/note        a text box with the current note; the POST sets it
 * A forged, expired, wrong-purpose or other draft's token gets a page that says so and changes nothing.
 */
import type { DraftView, LinkRefusal, ReviewPurpose } from '../core/review';
import { reviewPath } from '../core/review';
import { checkReviewLink, type LinkDeps } from '../jobs/review-links';
import type { ReviewActions } from '../ports/review';
import { sendAtLabel } from '../render/preflight';
import {
  REVIEW_CONTENT_SECURITY_POLICY,
  type ReviewSite,
  reviewConfirmPage,
  reviewDonePage,
  reviewRefusedPage,
} from '../render/review-pages';

export const REVIEW_PURPOSES: readonly ReviewPurpose[] = ['approve', 'hold', 'note'];

/** What a review route answers: a status, a page, and a word for JSON clients. */
export interface ReviewPage {
  status: number;
  code: string;
  page: string;
}

/** The review pages' headers: the API's policy with their own stylesheet allowed too. */
export const REVIEW_HEADERS = { 'Content-Security-Policy': REVIEW_CONTENT_SECURITY_POLICY };

export interface ReviewRoutes {
  show(purpose: ReviewPurpose, token: string): Promise<ReviewPage>;
  act(purpose: ReviewPurpose, token: string, fields: Record<string, string>): Promise<ReviewPage>;
}

const REFUSAL_STATUS: Record<LinkRefusal, number> = {
  malformed: 400,
  forged: 403,
  'wrong-purpose': 403,
  busy: 503,
  expired: 410,
  'other-draft': 409,
  gone: 410,
};

const refused = (reason: LinkRefusal, site: ReviewSite, detail?: string): ReviewPage => ({
  status: REFUSAL_STATUS[reason],
  code: reason,
  page: reviewRefusedPage(reason, detail, site),
});

/**
 * The review routes: a GET checks the link itself (`link`: the store and the key, nothing that can compose);
 * the button goes to `actions` (in this process, or the compose-issue function on AWS). An approval that
 * came after the send time sends the issue at once (`actions.sendNow`).
 */
export function createReviewRoutes(
  link: LinkDeps,
  actions: ReviewActions,
  options: { lang: string; title: string },
): ReviewRoutes {
  const site: ReviewSite = { title: options.title };
  const label = (d: Pick<DraftView, 'sendAt' | 'timeZone'>) => sendAtLabel(d.sendAt, d.timeZone, options.lang);
  return {
    async show(purpose, token) {
      const check = await checkReviewLink(link, purpose, token);
      if (check.kind === 'refused') return refused(check.reason, site, check.detail);
      const d = check.draft;
      return {
        status: 200,
        code: `confirm-${purpose}`,
        page: reviewConfirmPage({
          purpose,
          token,
          action: reviewPath(purpose),
          issue: d.issue,
          subject: d.record.model.subject,
          sendAtLabel: label(d),
          state: d.state,
          note: d.record.model.editorNote,
          site,
        }),
      };
    },
    async act(purpose, token, fields) {
      const outcome = await actions.act({
        purpose,
        token,
        by: 'link',
        ...(fields.note !== undefined ? { note: fields.note } : {}),
      });
      if (outcome.kind === 'refused') return refused(outcome.reason, site, outcome.detail);
      const d = outcome.draft;
      if (outcome.kind === 'failed') {
        const page = reviewDonePage({ purpose, issue: d.issue, lines: [outcome.message], site });
        return { status: 422, code: 'not-done', page };
      }
      const when = label(d);
      const lines: string[] = [];
      if (outcome.changes.length > 0) {
        lines.push('The bookmarks changed since the draft was made, so it was composed again:', ...outcome.changes);
      }
      if (purpose === 'approve') {
        if (outcome.late) {
          lines.push(`Approved. Its send time (${when}) had passed: ${await actions.sendNow()}`);
        } else lines.push(`Approved. Issue #${d.issue} goes out ${when}.`);
      } else if (purpose === 'hold') {
        lines.push(`Held. Issue #${d.issue} does not go out ${when}; its links go into the next draft.`);
      } else {
        lines.push(
          d.note ? `The note of issue #${d.issue} is saved.` : `The note of issue #${d.issue} is removed.`,
          'A fresh preflight is on its way to your inbox.',
        );
      }
      const code = purpose === 'note' ? 'noted' : purpose === 'approve' ? 'approved' : 'held';
      return { status: 200, code, page: reviewDonePage({ purpose, issue: d.issue, lines, site }) };
    },
  };
}
