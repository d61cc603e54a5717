/**
 * Turns a rendered issue into one subscriber's message: their unsubscribe link in the body and in the
 * RFC 8058 headers, then MIME (multipart/alternative, UTF-8) built by nodemailer's MailComposer.
 * Every line ends in CRLF and each part goes in the smaller of quoted-printable and base64
 * (tests/unit/render/raw-message.test.ts reads the raw bytes).
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { addressOf } from '../core/email';
import { toCrlf } from '../core/line-endings';
import type { IssueRecord, RenderedIssue, Subscriber } from '../core/model';
import { siteBase } from '../core/site-url';
import { createToken } from '../core/tokens';
import type { OutgoingMessage } from '../ports/mailer';
import { fillLinks } from './links';
import { type BodyEncoding, encodeBody, smallerEncoding } from './transfer-encoding';

export interface MessageContext {
  from: string;
  replyTo?: string;
  /** `List-Id`: a display name and the list's id (`weekly-links.example.com`). */
  listId: { name: string; id: string };
  siteUrl: string;
  secret: string;
  /**
   * Someone reads unsubscribe replies (config `subscriptions.mailtoUnsubscribe`): only then does
   * List-Unsubscribe offer a mailto beside the https URL. A mailto nobody reads would be a broken door.
   */
  mailtoUnsubscribe?: boolean;
  /** The mailbox the mailto names (config `subscriptions.mailtoAddress`); else replyTo, else from. */
  mailtoAddress?: string;
}

export { addressOf };

export function domainOf(mailbox: string): string {
  return addressOf(mailbox).split('@')[1] ?? 'localhost';
}

export function unsubscribeUrl(siteUrl: string, token: string): string {
  return `${siteBase(siteUrl)}/unsubscribe?token=${encodeURIComponent(token)}`;
}

/**
 * RFC 2919 List-Id: the phrase may be encoded, the `<id>` never is, so it is built here and passed to
 * MailComposer as prepared (MailComposer would encode the whole value, angle brackets included).
 */
export function listIdHeader(listId: MessageContext['listId']): string {
  const name = listId.name.replace(/[\r\n]+/g, ' ').trim();
  const phrase = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/(["\\])/g, '\\$1')}"`
    : `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  return `${phrase} <${listId.id}>`;
}

/** An unsubscribe URL as long as every real one: tokens have a fixed length. */
export function sampleUnsubscribeUrl(ctx: Pick<MessageContext, 'siteUrl' | 'secret'>): string {
  return unsubscribeUrl(ctx.siteUrl, createToken(ctx.secret, 'unsubscribe', 'x'.repeat(16)));
}

/** Stable per issue and subscriber, so a resent duplicate is recognisable as the same message. */
export function messageIdFor(issue: number, subscriberId: string, from: string): string {
  return `<digest-${issue}-${subscriberId}@${domainOf(from)}>`;
}

/** One subscriber's copy of the body: their unsubscribe link where the placeholder stands. */
export function personalize(
  record: Pick<IssueRecord, 'rendered' | 'placeholder'>,
  subscriber: Pick<Subscriber, 'id'>,
  ctx: Pick<MessageContext, 'siteUrl' | 'secret'>,
): { html: string; text: string; unsubscribeUrl: string; token: string } {
  const token = createToken(ctx.secret, 'unsubscribe', subscriber.id);
  const url = unsubscribeUrl(ctx.siteUrl, token);
  const links = {
    unsubscribe: url,
    preferences: preferencesUrl(ctx.siteUrl, createToken(ctx.secret, 'preferences', subscriber.id)),
  };
  const { rendered, placeholder } = record;
  // The placeholders are letters and digits only, so HTML escaping left them intact; the URLs are escaped here.
  const html = fillLinks(rendered.html, placeholder, links, true);
  const text = fillLinks(rendered.text, placeholder, links, false);
  return { html, text, unsubscribeUrl: url, token };
}

/** A reader's preferences page (its token names the reader, for that purpose only: it cannot unsubscribe). */
export function preferencesUrl(siteUrl: string, token: string): string {
  return `${siteBase(siteUrl)}/preferences?token=${encodeURIComponent(token)}`;
}

/**
 * The encodings of an issue's parts, chosen once per rendered issue: personalizing only swaps in an ASCII
 * URL of fixed length, which moves neither size enough to change the choice.
 */
const chosen = new WeakMap<RenderedIssue, { text: BodyEncoding; html: BodyEncoding }>();
function encodingsFor(rendered: RenderedIssue): { text: BodyEncoding; html: BodyEncoding } {
  let pair = chosen.get(rendered);
  if (!pair) {
    pair = { text: smallerEncoding(toCrlf(rendered.text)), html: smallerEncoding(toCrlf(rendered.html)) };
    chosen.set(rendered, pair);
  }
  return pair;
}

/**
 * A body part as MailComposer's `raw`: its headers and the body already encoded, so the bytes measured
 * are the bytes sent (MailComposer would otherwise pick the encoding and keep any bare LF).
 */
export function rawPart(contentType: string, content: string, encoding: BodyEncoding): string {
  return `Content-Type: ${contentType}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${encodeBody(toCrlf(content), encoding)}`;
}

/** Builds the complete message for one subscriber. `date` is the send time. */
export async function buildMessage(
  record: IssueRecord,
  subscriber: Subscriber,
  ctx: MessageContext,
  date: Date,
): Promise<OutgoingMessage> {
  const { html, text, unsubscribeUrl: url, token } = personalize(record, subscriber, ctx);
  const mailto = ctx.mailtoUnsubscribe
    ? `, <mailto:${addressOf(ctx.mailtoAddress ?? ctx.replyTo ?? ctx.from)}?subject=unsubscribe%20${encodeURIComponent(token)}>`
    : '';
  const messageId = messageIdFor(record.issue, subscriber.id, ctx.from);
  const encoding = encodingsFor(record.rendered);
  const composer = new MailComposer({
    from: ctx.from,
    replyTo: ctx.replyTo,
    to: subscriber.name ? { name: subscriber.name, address: subscriber.email } : subscriber.email,
    subject: record.rendered.subject,
    text: { raw: rawPart('text/plain; charset=utf-8', text, encoding.text) },
    html: { raw: rawPart('text/html; charset=utf-8', html, encoding.html) },
    messageId,
    date,
    textEncoding: 'quoted-printable',
    headers: {
      'List-Id': { prepared: true, value: listIdHeader(ctx.listId) },
      'List-Unsubscribe': `<${url}>${mailto}`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Digest-Issue': String(record.issue),
    },
  });
  const raw = await composer.compile().build();
  return { issue: record.issue, to: subscriber.email, subscriberId: subscriber.id, messageId, raw };
}
