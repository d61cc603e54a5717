/** Base of every error the product raises on purpose; `cause` keeps the original. */
export class DigestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Thrown when the config file or environment is missing, unreadable or invalid; names the key and file. */
export class ConfigError extends DigestError {}

/** Thrown when a bookmark source cannot be read: outage, 401, 429 after retries, malformed body, timeout. */
export class SourceError extends DigestError {}

/** Thrown when templates do not compile or an issue cannot be rendered within budget: nothing is sent. */
export class RenderError extends DigestError {}

/**
 * How a failed send is handled, decided once where the transport's error is read:
 * `transient` (throttling, 5xx, network) is retried; `refused` (this recipient or message) is recorded
 * and the send goes on; `fatal` (account paused, outbox unwritable) stops the run, resumable later.
 */
export type DeliveryFailure = 'transient' | 'refused' | 'fatal';

/** Thrown by a mailer when a message is not accepted; `failure` says what the run does next. */
export class DeliveryError extends DigestError {
  readonly failure: DeliveryFailure;
  /** A fatal failure that passes by itself: the 24-hour sending quota is used up; the rest waits for it. */
  readonly quotaExhausted: boolean;
  constructor(message: string, options: { cause?: unknown; failure: DeliveryFailure; quotaExhausted?: boolean }) {
    super(message, options);
    this.failure = options.failure;
    this.quotaExhausted = options.quotaExhausted ?? false;
  }
  get retryable(): boolean {
    return this.failure === 'transient';
  }
}

/** Thrown when local state cannot be read or written, or another run holds it. */
export class StoreError extends DigestError {}
