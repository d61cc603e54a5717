/**
 * The confirmation email of a double opt-in: its own templates (templates/confirm.*, MJML compiled like the
 * digest's, at synth for the functions), a plain-text part, every line CRLF, each part in the smaller of
 * quoted-printable and base64, exactly as the digest's messages (message.ts). It carries no List-Unsubscribe:
 * it goes out once, to someone who is not yet on the list. Nothing in it comes from the request but the address.
 */
import Handlebars from 'handlebars';
import MailComposer from 'nodemailer/lib/mail-composer';
import { RenderError } from '../core/errors';
import { toCrlf } from '../core/line-endings';
import type { Subscriber } from '../core/model';
import { displayHost } from '../core/url';
import type { OutgoingMessage } from '../ports/mailer';
import { domainOf, type MessageContext, rawPart } from './message';
import type { CompiledTemplates } from './templates';
import { smallerEncoding } from './transfer-encoding';

/** The confirmation email's templates, beside the digest's in a templates folder. */
export const CONFIRM_TEMPLATE_FILES = {
  html: 'confirm.mjml',
  text: 'confirm.txt.hbs',
  subject: 'confirm.subject.hbs',
  preheader: 'confirm.preheader.hbs',
} as const;

/** A confirm link works this long (issue 8; elistman keeps pending sign-ups a day, we give a week). */
export const CONFIRM_DAYS = 7;

/** An outbox/SES message number for what is not an issue (the outbox names files by it). */
export const CONFIRMATION_ISSUE = 0;

export interface ConfirmContext {
  title: string;
  intro?: string;
  lang: string;
  /** The public base of links (the confirm URL starts with it). */
  siteUrl: string;
  message: Pick<MessageContext, 'from' | 'replyTo'>;
}

export interface ConfirmInput {
  subscriber: Pick<Subscriber, 'id' | 'email' | 'name'>;
  confirmUrl: string;
  /** The address already gets the digest: the mail says the click changes nothing. */
  alreadyActive: boolean;
  date: Date;
}

export type BuildConfirmation = (input: ConfirmInput) => Promise<OutgoingMessage>;

function compile(name: string, source: string, noEscape: boolean): Handlebars.TemplateDelegate {
  try {
    const template = Handlebars.create().compile(source, { noEscape, strict: false });
    template({}); // a syntax error shows now, not at the first sign-up
    return template;
  } catch (cause) {
    throw new RenderError(`template ${name}: ${(cause as Error).message}`, { cause });
  }
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Compiles the templates once; the returned function builds one confirmation message. */
export function createConfirmationBuilder(templates: CompiledTemplates, ctx: ConfirmContext): BuildConfirmation {
  const html = compile(CONFIRM_TEMPLATE_FILES.html, templates.html, false);
  const text = compile(CONFIRM_TEMPLATE_FILES.text, templates.text, true);
  const subject = compile(CONFIRM_TEMPLATE_FILES.subject, templates.subject, true);
  const preheader = compile(CONFIRM_TEMPLATE_FILES.preheader, templates.preheader, true);
  const siteHost = displayHost(ctx.siteUrl);
  return async ({ subscriber, confirmUrl, alreadyActive, date }) => {
    const data: Record<string, unknown> = {
      title: ctx.title,
      intro: ctx.intro,
      lang: ctx.lang,
      siteUrl: ctx.siteUrl,
      siteHost,
      email: subscriber.email,
      confirmUrl,
      alreadyActive,
      expiresDays: CONFIRM_DAYS,
    };
    data.subject = oneLine(subject(data));
    data.preheader = oneLine(preheader(data));
    const htmlBody = html(data);
    const textBody = text(data);
    const messageId = `<confirm-${subscriber.id}-${date.getTime().toString(36)}@${domainOf(ctx.message.from)}>`;
    const composer = new MailComposer({
      from: ctx.message.from,
      replyTo: ctx.message.replyTo,
      to: subscriber.name ? { name: subscriber.name, address: subscriber.email } : subscriber.email,
      subject: data.subject as string,
      text: { raw: rawPart('text/plain; charset=utf-8', textBody, smallerEncoding(toCrlf(textBody))) },
      html: { raw: rawPart('text/html; charset=utf-8', htmlBody, smallerEncoding(toCrlf(htmlBody))) },
      messageId,
      date,
      // RFC 3834: sent by a program; auto-responders should not answer it.
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    const raw = await composer.compile().build();
    return { issue: CONFIRMATION_ISSUE, to: subscriber.email, subscriberId: subscriber.id, messageId, raw };
  };
}
