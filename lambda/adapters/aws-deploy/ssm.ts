/**
 * Whether CDK is bootstrapped: the bootstrap stack publishes its version in SSM at
 * /cdk-bootstrap/<qualifier>/version (the default qualifier is hnb659fds), which is what the CDK CLI reads.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { BootstrapProbe } from '../../ports/deploy';

export const BOOTSTRAP_VERSION_PARAMETER = '/cdk-bootstrap/hnb659fds/version';

export class SsmBootstrapProbe implements BootstrapProbe {
  private readonly client: SSMClient;
  constructor(options: { region: string; profile?: string; client?: SSMClient }) {
    this.client = options.client ?? new SSMClient({ region: options.region, profile: options.profile, maxAttempts: 2 });
  }

  async version(signal: AbortSignal): Promise<number | undefined> {
    try {
      const found = await this.client.send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }), {
        abortSignal: signal,
      });
      const version = Number(found.Parameter?.Value);
      return Number.isFinite(version) ? version : undefined;
    } catch (error) {
      if ((error as Error).name === 'ParameterNotFound') return undefined;
      throw error;
    }
  }
}
