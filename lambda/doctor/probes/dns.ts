/**
 * TXT lookups through a node:dns Resolver of its own: the system's servers, or those DIGEST_DNS_SERVERS names
 * (`1.1.1.1`, `127.0.0.1:5353`), so a test can answer from a local server. Each query is bounded by the
 * resolver's timeout and cancelled when the check's signal fires.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsProbe } from '../ports';

/** No such name, or no TXT at it: the same for doctor (there is no record). */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND']);

export class TxtLookup implements DnsProbe {
  private readonly resolver: Resolver;

  constructor(options: { timeoutMs: number; servers?: readonly string[] }) {
    this.resolver = new Resolver({ timeout: Math.min(options.timeoutMs, 5000), tries: 2 });
    if (options.servers && options.servers.length > 0) this.resolver.setServers([...options.servers]);
  }

  async txt(name: string, signal: AbortSignal): Promise<string[]> {
    const cancel = () => this.resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return (await this.resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (error) {
      if (NO_RECORDS.has((error as NodeJS.ErrnoException).code ?? '')) return [];
      throw error;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }
}

/** `DIGEST_DNS_SERVERS`: servers separated by commas or spaces. */
export const dnsServersFrom = (value: string | undefined): string[] =>
  (value ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
