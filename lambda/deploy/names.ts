/**
 * Names of the deployed things, derived from the digest config, so two digests deploy side by side in one
 * account and every name says which digest it belongs to.
 */
import type { DigestConfig } from '../config';

/** `Links I Found` → `LinksIFound`: a CloudFormation-safe prefix (letters and digits, starts with a letter). */
export function stackPrefix(config: Pick<DigestConfig, 'title'>): string {
  const words = config.title
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9 ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1));
  const joined = words.join('').slice(0, 40);
  return /^[A-Za-z]/.test(joined) ? joined : `Digest${joined}`;
}

export function stackNames(config: Pick<DigestConfig, 'title'>) {
  const prefix = stackPrefix(config);
  return { data: `${prefix}-Data`, digest: `${prefix}-Digest` };
}

/** The domain of the `from` address: the SES identity the functions may send as. */
export function senderDomain(from: string): string {
  const address = (/<([^>]+)>\s*$/.exec(from)?.[1] ?? from).trim();
  const domain = address.split('@')[1];
  if (!domain) throw new Error(`config "from" has no domain: ${from}`);
  return domain.toLowerCase();
}
