/** A secret's new value: Secrets Manager PutSecretValue. The value goes in the request body only. */
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretWriter } from '../../ports/deploy';

export class SecretsManagerWriter implements SecretWriter {
  private readonly client: SecretsManagerClient;
  constructor(options: { region: string; profile?: string; client?: SecretsManagerClient }) {
    this.client = options.client ?? new SecretsManagerClient({ region: options.region, profile: options.profile });
  }

  async put(arn: string, value: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }));
  }
}
