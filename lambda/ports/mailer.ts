/** A finished MIME message for one recipient, as render builds it and a mailer sends it. */
export interface OutgoingMessage {
  issue: number;
  to: string;
  subscriberId: string;
  messageId: string;
  raw: Buffer;
  /** A `send --to` test copy: transports keep it apart from the issue's real messages. */
  test?: boolean;
  /** The author's preflight of a draft (config `review`): kept apart from the issue's messages, as a test is. */
  preflight?: boolean;
}

export interface SendReceipt {
  /** The transport's id for the accepted message (SES MessageId, or the outbox file name). */
  messageId: string;
}

/**
 * Delivers one finished MIME message. Throws `DeliveryError` with `retryable` set: throttling and
 * transient faults are retryable; a refusal of this message is not; `fatal` stops the whole run.
 */
export interface Mailer {
  readonly description: string;
  send(message: OutgoingMessage): Promise<SendReceipt>;
}
