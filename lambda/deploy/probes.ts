/**
 * What `deploy` asks AWS with, for one region (and the AWS profile in the environment), built here as doctor
 * builds its probes (doctor/probes/): kept out of wiring.ts so the functions' bundles never carry them. The
 * SES and DNS probes are doctor's own. The toolkit loads only when a deploy gets that far: the library is large.
 */
import { SecretsManagerWriter } from '../adapters/aws-deploy/secrets';
import { SsmBootstrapProbe } from '../adapters/aws-deploy/ssm';
import { StsAccountProbe } from '../adapters/aws-deploy/sts';
import { dnsServersFrom, TxtLookup } from '../doctor/probes/dns';
import { SesV2Probe } from '../doctor/probes/ses';
import { ENV } from '../env';
import type { SecretWriter, StackToolkit } from '../ports/deploy';
import type { AccountProbes } from './prerequisites';

export interface DeployAdapters {
  probes: AccountProbes;
  secrets: SecretWriter;
  toolkit: () => StackToolkit;
}

export function deployAdapters(options: { region: string; env: NodeJS.ProcessEnv; timeoutMs: number }): DeployAdapters {
  const { region, env, timeoutMs } = options;
  return {
    probes: {
      account: new StsAccountProbe({ region }),
      bootstrap: new SsmBootstrapProbe({ region }),
      ses: new SesV2Probe({ timeoutMs }),
      dns: new TxtLookup({ timeoutMs, servers: dnsServersFrom(env[ENV.dnsServers]) }),
    },
    secrets: new SecretsManagerWriter({ region }),
    toolkit: () => {
      const { CdkToolkit } =
        require('../adapters/aws-deploy/toolkit') as typeof import('../adapters/aws-deploy/toolkit');
      return new CdkToolkit();
    },
  };
}
