/**
 * SES v2 `GetAccount` and `GetEmailIdentity`, read for doctor. The endpoint comes from the SDK's own environment
 * (`AWS_ENDPOINT_URL_SESV2`, or `AWS_ENDPOINT_URL`), as the v1 client's does (`AWS_ENDPOINT_URL_SES`), so the
 * same code reads AWS or a local stand-in. One attempt, bounded by a timeout and the check's signal.
 */
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { SesAccountFacts, SesIdentityFacts, SesProbe } from '../ports';
import { oneAttempt } from './aws';

export class SesV2Probe implements SesProbe {
  private readonly client: SESv2Client;

  constructor(options: { timeoutMs: number; client?: SESv2Client }) {
    this.client = options.client ?? new SESv2Client(oneAttempt(options.timeoutMs));
  }

  async account(signal: AbortSignal): Promise<SesAccountFacts> {
    const a = await this.client.send(new GetAccountCommand({}), { abortSignal: signal as never });
    return {
      sendingEnabled: a.SendingEnabled ?? false,
      productionAccessEnabled: a.ProductionAccessEnabled ?? false,
      enforcementStatus: a.EnforcementStatus,
      maxSendRate: a.SendQuota?.MaxSendRate ?? 0,
      max24HourSend: a.SendQuota?.Max24HourSend ?? 0,
      sentLast24Hours: a.SendQuota?.SentLast24Hours ?? 0,
    };
  }

  async identity(name: string, signal: AbortSignal): Promise<SesIdentityFacts | undefined> {
    try {
      const i = await this.client.send(new GetEmailIdentityCommand({ EmailIdentity: name }), {
        abortSignal: signal as never,
      });
      return {
        identity: name,
        type: i.IdentityType,
        verifiedForSending: i.VerifiedForSendingStatus ?? false,
        verificationStatus: i.VerificationStatus,
        dkimStatus: i.DkimAttributes?.Status,
        dkimSigningEnabled: i.DkimAttributes?.SigningEnabled ?? false,
        mailFromDomain: i.MailFromAttributes?.MailFromDomain || undefined,
        mailFromStatus: i.MailFromAttributes?.MailFromDomainStatus,
      };
    } catch (error) {
      if ((error as Error).name === 'NotFoundException') return undefined;
      throw error;
    }
  }
}
