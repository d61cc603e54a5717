/**
 * The From domain's SPF and DMARC records (DNS TXT). Receivers that follow Gmail's and Yahoo's sender rules
 * (2024) look for both; DKIM is the SES identity check's. Pure judgements of the records the DNS probe finds.
 */
import { ENV } from '../../env';
import { domainOf } from '../../render/message';
import { type Check, type CheckResult, fail, pass, warn } from '../check';
import type { DnsProbe } from '../ports';

const SPF = { id: 'dns-spf', title: 'SPF record' };
const DMARC = { id: 'dns-dmarc', title: 'DMARC record' };

/** The SPF record(s) of the From domain: exactly one, not `+all`, naming amazonses.com when SES sends. */
export function judgeSpf(domain: string, records: readonly string[], ses: boolean): CheckResult {
  const spf = records.filter((r) => /^v=spf1(\s|$)/i.test(r.trim()));
  const suggested = `"v=spf1 include:amazonses.com ~all"`;
  if (spf.length === 0) {
    return fail(
      SPF.id,
      SPF.title,
      `${domain} has no SPF record (TXT "v=spf1 …")`,
      `add a TXT record on ${domain}: ${suggested}`,
    );
  }
  if (spf.length > 1) {
    return fail(
      SPF.id,
      SPF.title,
      `${domain} has ${spf.length} SPF records: receivers treat that as an error (RFC 7208 §3.2)`,
      `merge them into one TXT record, such as ${suggested}`,
    );
  }
  const record = (spf[0] ?? '').trim();
  const all = /(?:^|\s)([+?~-]?)all(?:\s|$)/i.exec(record);
  if (all && (all[1] === '' || all[1] === '+')) {
    return fail(
      SPF.id,
      SPF.title,
      `${domain}: "${record}" lets anyone send as ${domain}`,
      `end the record with ~all or -all: ${suggested}`,
    );
  }
  if (ses && !/include:amazonses\.com\b/i.test(record)) {
    return warn(
      SPF.id,
      SPF.title,
      `${domain}: "${record}" does not name amazonses.com (needed only if mail goes out with a custom MAIL FROM domain under ${domain})`,
      `add include:amazonses.com to it: ${suggested}`,
    );
  }
  return pass(SPF.id, SPF.title, `${domain}: "${record}"`);
}

/** The DMARC record at `_dmarc.DOMAIN`: exactly one, with a policy. `p=none` passes (monitoring is enough). */
export function judgeDmarc(domain: string, records: readonly string[]): CheckResult {
  const dmarc = records.filter((r) => /^v=DMARC1\s*(;|$)/i.test(r.trim()));
  const suggested = `"v=DMARC1; p=none; rua=mailto:dmarc@${domain}"`;
  if (dmarc.length === 0) {
    return fail(
      DMARC.id,
      DMARC.title,
      `_dmarc.${domain} has no DMARC record: Gmail and Yahoo ask bulk senders for one`,
      `add a TXT record on _dmarc.${domain}: ${suggested}`,
    );
  }
  if (dmarc.length > 1) {
    return fail(
      DMARC.id,
      DMARC.title,
      `_dmarc.${domain} has ${dmarc.length} DMARC records: receivers ignore them all`,
      `keep one: ${suggested}`,
    );
  }
  const record = (dmarc[0] ?? '').trim();
  const policy = /(?:^|;)\s*p\s*=\s*([a-z]+)/i.exec(record)?.[1]?.toLowerCase();
  if (!policy || !['none', 'quarantine', 'reject'].includes(policy)) {
    return fail(
      DMARC.id,
      DMARC.title,
      `_dmarc.${domain}: "${record}" has no valid policy (p=none, quarantine or reject)`,
      `use ${suggested}`,
    );
  }
  return pass(DMARC.id, DMARC.title, `_dmarc.${domain}: "${record}"${policy === 'none' ? ' (monitoring only)' : ''}`);
}

const DNS_FIX = `the DNS lookup failed: check the network (or ${ENV.dnsServers} if you set it), then run doctor again`;

export function dnsChecks(dns: DnsProbe, from: string, ses: boolean): Check[] {
  const domain = domainOf(from);
  const lookupFailed = (what: { id: string; title: string }, name: string) => (error: Error) =>
    fail(
      what.id,
      what.title,
      `looking up TXT ${name} failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
      DNS_FIX,
    );
  return [
    {
      ...SPF,
      fix: DNS_FIX,
      run: (signal) => dns.txt(domain, signal).then((r) => judgeSpf(domain, r, ses), lookupFailed(SPF, domain)),
    },
    {
      ...DMARC,
      fix: DNS_FIX,
      run: (signal) =>
        dns.txt(`_dmarc.${domain}`, signal).then((r) => judgeDmarc(domain, r), lookupFailed(DMARC, `_dmarc.${domain}`)),
    },
  ];
}
