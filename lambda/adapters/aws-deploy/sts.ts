/** Who the credentials are: STS GetCallerIdentity, the call that needs no permission at all. */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AccountProbe, CallerIdentity } from '../../ports/deploy';

export class StsAccountProbe implements AccountProbe {
  private readonly client: STSClient;
  constructor(options: { region: string; profile?: string; client?: STSClient }) {
    this.client = options.client ?? new STSClient({ region: options.region, profile: options.profile, maxAttempts: 2 });
  }

  async identity(signal: AbortSignal): Promise<CallerIdentity> {
    try {
      const who = await this.client.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
      if (!who.Account || !who.Arn) throw new Error('STS answered without an account');
      return { account: who.Account, arn: who.Arn };
    } catch (error) {
      const e = error as Error;
      // The SDK's own words name the cause (no credentials found, expired token, signature refused).
      throw new Error(`${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
    }
  }
}
