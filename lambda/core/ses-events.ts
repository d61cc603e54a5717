/**
 * SES notifications (SNS → Lambda, the JSON string in `Records[].Sns.Message`), read into plain events:
 * bounces and complaints, in both shapes (identity notifications with `notificationType`, configuration-set
 * event publishing with `eventType`; one notice can name several recipients), and mail received by an SES
 * receipt rule with an SNS action (`notificationType: "Received"`): an "unsubscribe TOKEN" reply, or (config
 * `review`) the author's reply to a preflight, whose subject carries `[ref:TOKEN]` and whose text is the note.
 */
import { addressOf } from './email';
import { replyText } from './reply-text';

export type SesEventKind = 'permanent-bounce' | 'transient-bounce' | 'complaint';

export interface SesEvent {
  kind: SesEventKind;
  email: string;
  at: string;
  /** The issue the message belonged to (the `issue` message tag), when present. */
  issue?: number;
}

/** A reply to the List-Unsubscribe mailto, received by SES: its subject carries the token. */
export interface UnsubscribeReply {
  kind: 'unsubscribe-reply';
  subject: string;
  at: string;
  /** SES found a virus in it: it is dropped unread. */
  virus: boolean;
}

/** The author's reply to a preflight: its text above the quote becomes the draft's note (jobs/record-ses-events.ts). */
export interface NoteReply {
  kind: 'note-reply';
  /** The review token from the subject's `[ref:TOKEN]`. */
  token: string;
  /** The From address (the first one), as written. */
  from: string;
  /** SES's verdicts on the message: only PASS for both lets it act. */
  spf: string;
  dkim: string;
  text: string;
  at: string;
  virus: boolean;
}

/** The marker the preflight's subject carries (render/preflight.ts), kept in a reply's "Re: …". */
export const REPLY_REF = /\[ref:([A-Za-z0-9._-]{1,200})\]/;

interface Recipient {
  emailAddress?: unknown;
}

interface Notification {
  notificationType?: unknown;
  eventType?: unknown;
  bounce?: { bounceType?: unknown; bouncedRecipients?: Recipient[]; timestamp?: unknown };
  complaint?: { complainedRecipients?: Recipient[]; timestamp?: unknown; complaintFeedbackType?: unknown };
  mail?: {
    timestamp?: unknown;
    tags?: Record<string, unknown>;
    commonHeaders?: { subject?: unknown; from?: unknown };
  };
  receipt?: {
    timestamp?: unknown;
    virusVerdict?: { status?: unknown };
    spfVerdict?: { status?: unknown };
    dkimVerdict?: { status?: unknown };
  };
  /** The raw message, when the receipt rule's SNS action includes it (it does, up to 150 KB). */
  content?: unknown;
}

const status = (v: { status?: unknown } | undefined) => (typeof v?.status === 'string' ? v.status : 'NONE');

const addresses = (list: Recipient[] | undefined) =>
  (Array.isArray(list) ? list : [])
    .map((r) => (typeof r?.emailAddress === 'string' ? r.emailAddress.trim() : ''))
    .filter((a) => a.includes('@'));

/**
 * Returns the events in one SNS message; `[]` for notices that change nothing (deliveries, sends).
 * Throws SyntaxError for a message that is not JSON or not an SES notification at all.
 */
export function parseSesNotification(message: string): (SesEvent | UnsubscribeReply | NoteReply)[] {
  const n = JSON.parse(message) as Notification;
  if (!n || typeof n !== 'object') throw new SyntaxError('not an SES notification');
  const type = n.notificationType ?? n.eventType;
  if (typeof type !== 'string') throw new SyntaxError('not an SES notification (no notificationType or eventType)');
  const tag = n.mail?.tags?.issue;
  const issueValue = Array.isArray(tag) ? Number(tag[0]) : undefined;
  const issue = Number.isInteger(issueValue) ? issueValue : undefined;
  const stamp = (t: unknown) =>
    typeof t === 'string' && !Number.isNaN(Date.parse(t)) ? new Date(t).toISOString() : new Date(0).toISOString();

  if (type === 'Received') {
    const subject = n.mail?.commonHeaders?.subject;
    const ref = typeof subject === 'string' ? REPLY_REF.exec(subject)?.[1] : undefined;
    if (ref) {
      const from = n.mail?.commonHeaders?.from;
      return [
        {
          kind: 'note-reply',
          token: ref,
          from: Array.isArray(from) && typeof from[0] === 'string' ? addressOf(from[0]) : '',
          spf: status(n.receipt?.spfVerdict),
          dkim: status(n.receipt?.dkimVerdict),
          text: typeof n.content === 'string' ? replyText(n.content) : '',
          at: stamp(n.receipt?.timestamp ?? n.mail?.timestamp),
          virus: n.receipt?.virusVerdict?.status === 'FAIL',
        },
      ];
    }
    return [
      {
        kind: 'unsubscribe-reply',
        subject: typeof subject === 'string' ? subject : '',
        at: stamp(n.receipt?.timestamp ?? n.mail?.timestamp),
        virus: n.receipt?.virusVerdict?.status === 'FAIL',
      },
    ];
  }
  if (type === 'Bounce') {
    // Permanent: the address does not exist or refuses for good. Transient and Undetermined may pass.
    const kind: SesEventKind = n.bounce?.bounceType === 'Permanent' ? 'permanent-bounce' : 'transient-bounce';
    const at = stamp(n.bounce?.timestamp ?? n.mail?.timestamp);
    return addresses(n.bounce?.bouncedRecipients).map((email) => ({ kind, email, at, issue }));
  }
  if (type === 'Complaint') {
    // "not-spam" feedback is the one complaint that is not one.
    if (n.complaint?.complaintFeedbackType === 'not-spam') return [];
    const at = stamp(n.complaint?.timestamp ?? n.mail?.timestamp);
    return addresses(n.complaint?.complainedRecipients).map((email) => ({
      kind: 'complaint' as const,
      email,
      at,
      issue,
    }));
  }
  return [];
}
