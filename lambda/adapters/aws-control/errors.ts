/** An AWS API call of the operations adapters that failed, named with what it was for and AWS's own words. */
import { DigestError } from '../../core/errors';

export class AwsCallError extends DigestError {}

/** Runs one call; its failure becomes an AwsCallError: `Scheduler GetSchedule s: ResourceNotFoundException: …`. */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = error as Error;
    const name = e.name && e.name !== 'Error' && !e.message.startsWith(e.name) ? `${e.name}: ` : '';
    throw new AwsCallError(`${what}: ${name}${e.message}`, { cause: error });
  }
}
