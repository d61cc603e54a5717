/**
 * `send --to ADDRESS [--issue N]`: one copy of the next issue (composed as `preview` composes it) or of past
 * issue N, to one address, through the configured transport, for the author's own inbox. It changes nothing:
 * no ledger entry, no issue record or status, no source memo (the compose deps are read-only), no subscriber.
 *
 * The message is the real one with "[TEST] " before the subject. Its unsubscribe link and List-Unsubscribe
 * header are signed for a made-up recipient id: "test-" and 12 random characters, 17 in all, where every
 * subscriber id is 16 (core/tokens.ts), so the link can never unsubscribe a real reader, even the author
 * when the test address is on the list (following it says the subscriber is not on the list). The id is
 * new for each test, so the Message-ID is too: a mailbox never drops a second test as a duplicate.
 */
import { randomBytes } from 'node:crypto';
import type { IssueRecord, Subscriber } from '../core/model';
import type { Mailer } from '../ports/mailer';
import type { Store } from '../ports/store';
import { buildMessage, type MessageContext } from '../render/message';
import { type ComposeNextDeps, composeNextIssue } from './compose-next';

export const TEST_SUBJECT_PREFIX = '[TEST] ';

export interface TestSendDeps {
  /** Read-only (a preview's): composing the next issue moves no source memo. Built only for the next issue. */
  compose: () => Promise<ComposeNextDeps>;
  store: Pick<Store, 'getIssue'>;
  mailer: Mailer;
  message: MessageContext;
  now: Date;
}

export type TestSendResult =
  | {
      kind: 'sent';
      issue: number;
      /** Which issue went: the next one (composed now or resumed as stored) or a past one. */
      from: 'next' | 'resume' | 'past';
      subject: string;
      to: string;
      messageId: string;
      warnings: string[];
    }
  | { kind: 'nothing'; reason: string; warnings: string[] }
  | { kind: 'no-such-issue'; issue: number };

/** A recipient id no subscriber can have (ids are 16 characters; this is 17). */
export function testRecipientId(): string {
  return `test-${randomBytes(9).toString('base64url')}`;
}

/** The record as a test: the same bytes with the subject marked. */
function asTest(record: IssueRecord): IssueRecord {
  const subject = `${TEST_SUBJECT_PREFIX}${record.rendered.subject}`;
  return { ...record, rendered: { ...record.rendered, subject }, model: { ...record.model, subject } };
}

export async function sendTestIssue(
  deps: TestSendDeps,
  to: string,
  options: { issue?: number; since?: string } = {},
): Promise<TestSendResult> {
  let record: IssueRecord;
  let from: 'next' | 'resume' | 'past';
  let warnings: string[] = [];
  if (options.issue !== undefined) {
    const past = await deps.store.getIssue(options.issue);
    if (!past) return { kind: 'no-such-issue', issue: options.issue };
    record = past;
    from = 'past';
  } else {
    const next = await composeNextIssue(await deps.compose(), deps.now, options.since);
    if (next.kind === 'nothing') return { kind: 'nothing', reason: next.reason, warnings: next.warnings };
    if (next.kind === 'issue') warnings = next.warnings;
    record = next.record;
    from = next.kind === 'resume' ? 'resume' : 'next';
  }
  const at = deps.now.toISOString();
  const recipient: Subscriber = { id: testRecipientId(), email: to, status: 'active', createdAt: at, updatedAt: at };
  const test = asTest(record);
  const message = await buildMessage(test, recipient, deps.message, deps.now);
  const receipt = await deps.mailer.send({ ...message, test: true });
  return {
    kind: 'sent',
    issue: record.issue,
    from,
    subject: test.rendered.subject,
    to,
    messageId: receipt.messageId,
    warnings,
  };
}
