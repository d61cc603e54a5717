/**
 * Delivery through Amazon SES v1 `SendRawEmail`: one message per subscriber, custom headers intact
 * (SendEmail cannot set List-Unsubscribe). The endpoint comes from the SDK's own environment
 * (AWS_ENDPOINT_URL_SES), so the same code reaches AWS or a local server. The SDK's own retries are
 * off: `classifySesError` is the one place that decides retry vs refuse vs stop.
 */
import {
  GetSendQuotaCommand,
  SESClient,
  SendRawEmailCommand,
  type SendRawEmailCommandInput,
} from '@aws-sdk/client-ses';
import { DeliveryError, type DeliveryFailure } from '../core/errors';
import type { Mailer, OutgoingMessage, SendReceipt } from '../ports/mailer';

export interface SendQuota {
  maxSendRate: number;
  /** -1 in SES means unlimited; kept as given. */
  max24HourSend: number;
  sentLast24Hours: number;
}

/** True when the daily quota refused a send: not this message's fault; the rest waits for the quota. */
function isDailyQuotaError(error: unknown): boolean {
  const e = (error ?? {}) as AwsError;
  const code = e.name ?? e.Code ?? e.code ?? '';
  return (code === 'Throttling' || code === 'ThrottlingException') && /daily/i.test(e.message ?? '');
}

export interface SesMailerOptions {
  configurationSet?: string;
  /** Per request; a hung connection is a transient failure. */
  requestTimeoutMs?: number;
  client?: SESClient;
}

/** Codes that stop the whole run: nothing else will be accepted until a person acts. */
const FATAL = new Set([
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'ConfigurationSetDoesNotExistException',
  'MailFromDomainNotVerifiedException',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
]);

/** Codes that refuse this one message: record it for that subscriber and go on. */
const REFUSED = new Set(['MessageRejected', 'InvalidParameterValue', 'MessageRejectedException']);

interface AwsError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * SES errors by what the run does next (docs/FACTS.md, "Amazon SES"):
 * - `Throttling` "Maximum sending rate exceeded", 5xx, timeouts, network errors → transient (retry);
 * - `Throttling` "Daily message quota exceeded", paused sending, bad credentials, unverified domain → fatal;
 * - `MessageRejected` and other 4xx about this message → refused.
 */
export function classifySesError(error: unknown): DeliveryFailure {
  const e = (error ?? {}) as AwsError;
  const code = e.name ?? e.Code ?? e.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (code === 'Throttling' || code === 'ThrottlingException') {
    return /daily/i.test(e.message ?? '') ? 'fatal' : 'transient';
  }
  if (FATAL.has(code)) return 'fatal';
  if (REFUSED.has(code)) return 'refused';
  if (status === undefined) return 'transient'; // no answer: network, timeout, connection reset
  if (status >= 500 || status === 429) return 'transient';
  return 'refused';
}

export class SesMailer implements Mailer {
  readonly description: string;
  private readonly client: SESClient;

  constructor(private readonly options: SesMailerOptions = {}) {
    this.client =
      options.client ??
      new SESClient({
        maxAttempts: 1,
        requestHandler: { requestTimeout: options.requestTimeoutMs ?? 15_000, connectionTimeout: 5000 },
      });
    this.description = `Amazon SES${options.configurationSet ? ` (configuration set ${options.configurationSet})` : ''}`;
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    const input: SendRawEmailCommandInput = {
      RawMessage: { Data: message.raw },
      Destinations: [message.to],
      ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
      Tags: [{ Name: 'issue', Value: String(message.issue) }],
    };
    try {
      const result = await this.client.send(new SendRawEmailCommand(input));
      return { messageId: result.MessageId ?? '' };
    } catch (cause) {
      const e = cause as AwsError;
      const code = e.name ?? e.Code ?? 'Error';
      throw new DeliveryError(`SES ${code}: ${e.message ?? String(cause)}`, {
        cause,
        failure: classifySesError(cause),
        quotaExhausted: isDailyQuotaError(cause),
      });
    }
  }

  /** The account's MaxSendRate, or undefined when SES does not answer within `timeoutMs`. */
  async maxSendRate(timeoutMs = 5000): Promise<number | undefined> {
    return (await this.sendQuota(timeoutMs))?.maxSendRate;
  }

  /** GetSendQuota, or undefined when SES does not answer within `timeoutMs` (local stand-ins hang). */
  async sendQuota(timeoutMs = 5000): Promise<SendQuota | undefined> {
    try {
      const quota = await this.client.send(new GetSendQuotaCommand({}), {
        abortSignal: AbortSignal.timeout(timeoutMs) as never,
      });
      if (!quota.MaxSendRate || quota.MaxSendRate <= 0) return undefined;
      return {
        maxSendRate: quota.MaxSendRate,
        max24HourSend: quota.Max24HourSend ?? Number.POSITIVE_INFINITY,
        sentLast24Hours: quota.SentLast24Hours ?? 0,
      };
    } catch {
      return undefined;
    }
  }
}
