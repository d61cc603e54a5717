/**
 * The preflight's links (Approve, Hold, Add a note) and the reply door: what a review page may show (GET:
 * nothing changes, as a mail scanner follows every link) and what its button, or a reply, does. A token works
 * only for the purpose it was made for, the draft it was made for and the review address it was sent to,
 * until the send time.
 */
import { StoreError } from '../core/errors';
import { NoteError } from '../core/note';
import {
  type Draft,
  draftView,
  type ReviewAnswer,
  type ReviewPurpose,
  type ReviewRequest,
  type ReviewSettings,
  reviewSubject,
} from '../core/review';
import { checkToken } from '../core/tokens';
import type { Store } from '../ports/store';
import { approveDraft, currentDraft, holdDraft, noteDraft, type ReviewDeps, ReviewError, tokenPurpose } from './review';

/** What checking a link needs: the store, the signing key and the review address (no source, no renderer). */
export interface LinkDeps {
  store: Store;
  secret: string;
  settings: Pick<ReviewSettings, 'to'>;
  now: () => Date;
}

export type LinkCheck = { kind: 'ok'; draft: Draft } | Extract<ReviewAnswer, { kind: 'refused' }>;

export const linkDepsOf = (deps: ReviewDeps): LinkDeps => ({
  store: deps.store,
  secret: deps.preflight.message.secret,
  settings: deps.settings,
  now: deps.now,
});

/** Whether `token` is a live review link for `purpose`: the draft it opens, or why not. Changes nothing. */
export async function checkReviewLink(deps: LinkDeps, purpose: ReviewPurpose, token: string): Promise<LinkCheck> {
  const checked = checkToken(deps.secret, tokenPurpose(purpose), token, deps.now().getTime());
  if (!checked.valid) {
    // A genuine link of the preflight used on another action's page says so, not that it was forged.
    const another = (['approve', 'hold', 'note'] as const).some(
      (p) => p !== purpose && checkToken(deps.secret, tokenPurpose(p), token, deps.now().getTime()).valid,
    );
    return { kind: 'refused', reason: checked.reason === 'forged' && another ? 'wrong-purpose' : checked.reason };
  }
  const { file, unfinished, issue } = await currentDraft(deps.store);
  if (unfinished) return { kind: 'refused', reason: 'gone', detail: `issue #${issue} is already going out` };
  if (!file) return { kind: 'refused', reason: 'gone' };
  // Genuine, but for another draft (an earlier one, one already sent) or another review address.
  if (checked.subject !== reviewSubject(file.current.id, deps.settings.to)) {
    return { kind: 'refused', reason: 'other-draft' };
  }
  if (file.current.state === 'sent' || file.current.state === 'replaced') return { kind: 'refused', reason: 'gone' };
  return { kind: 'ok', draft: file.current };
}

/** A link's button or a reply: checks the token again, then approves, holds or sets the note. */
export async function actOnReviewLink(deps: ReviewDeps, request: ReviewRequest): Promise<ReviewAnswer> {
  const { purpose, token } = request;
  const check = await checkReviewLink(linkDepsOf(deps), purpose, token);
  if (check.kind === 'refused') return check;
  const target = { draftId: check.draft.id, by: request.by };
  try {
    switch (purpose) {
      case 'approve': {
        const outcome = await approveDraft(deps, target);
        return { kind: 'done', draft: draftView(outcome.draft), changes: outcome.changes, late: outcome.late };
      }
      case 'hold':
        return { kind: 'done', draft: draftView(await holdDraft(deps, target)), changes: [], late: false };
      case 'note': {
        const noted = await noteDraft(deps, target, request.note ?? '');
        return { kind: 'done', draft: draftView(noted), changes: [], late: false };
      }
    }
  } catch (error) {
    // The compose lock is held (a send, a draft tick, another button at the same moment): nothing was done.
    if (error instanceof StoreError) return { kind: 'refused', reason: 'busy' };
    if (!(error instanceof ReviewError) && !(error instanceof NoteError)) throw error;
    if (error instanceof ReviewError && error.refusal) return { kind: 'refused', reason: error.refusal };
    return { kind: 'failed', draft: draftView(check.draft), message: error.message };
  }
}
