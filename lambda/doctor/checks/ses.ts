/**
 * Amazon SES, read through the v2 API: the sending identity (the From domain, verified, with DKIM) and the
 * account (sending enabled, sandbox, rate and what is left of the 24-hour quota). Pure judgements of the facts
 * the SES probe reads, and the checks that read them.
 */
import { addressOf, domainOf } from '../../render/message';
import { type Check, type CheckResult, fail, pass, warn } from '../check';
import type { SesAccountFacts, SesIdentityFacts, SesProbe } from '../ports';

const IDENTITY = { id: 'ses-identity', title: 'SES sending identity' };
const SENDING = { id: 'ses-sending', title: 'SES sending' };
const SANDBOX = { id: 'ses-sandbox', title: 'SES sandbox' };
const QUOTA = { id: 'ses-quota', title: 'SES rate and quota' };

/** Below this share of the 24-hour quota left, doctor warns (elistman keeps 20 % free, docs/FACTS.md). */
const LOW_QUOTA_SHARE = 0.2;

const fmt = (n: number) => n.toLocaleString('en');

/** What an SDK error means for an author: credentials, region, permission, or something else. */
export function sesErrorFix(error: { name?: string; message?: string }): string {
  const text = `${error.name ?? ''} ${error.message ?? ''}`;
  if (/Region is missing|region/i.test(text) && /missing|not set/i.test(text))
    return 'set AWS_REGION to the SES region';
  if (
    /Credential|security token|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|UnrecognizedClient/i.test(text)
  ) {
    return 'give the AWS SDK credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for the SES account';
  }
  if (/AccessDenied|not authorized/i.test(text)) {
    return 'allow ses:GetAccount and ses:GetEmailIdentity to the credentials doctor runs with';
  }
  return 'check the network, AWS_REGION and AWS_ENDPOINT_URL_SESV2 if you set it, then run doctor again';
}

const describeError = (error: { name?: string; message?: string }) =>
  `SES did not answer: ${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error.message ?? 'unknown error'}`;

/** The From address's identity: its domain (best, DKIM-aligned) or the address alone (works, but not aligned). */
export function judgeSesIdentity(
  from: string,
  domain: SesIdentityFacts | undefined,
  address: SesIdentityFacts | undefined,
): CheckResult {
  const { id, title } = IDENTITY;
  const name = domainOf(from);
  const dkimFix = `publish the three DKIM CNAME records SES shows for ${name} (SES console → Identities → ${name}), then wait for SES to see them`;
  if (domain) {
    if (!domain.verifiedForSending) {
      return fail(
        id,
        title,
        `${name} is not verified for sending (status ${domain.verificationStatus ?? 'unknown'})`,
        dkimFix,
      );
    }
    if (domain.dkimStatus !== 'SUCCESS' || !domain.dkimSigningEnabled) {
      return fail(
        id,
        title,
        `${name} is verified, but DKIM is ${domain.dkimSigningEnabled ? (domain.dkimStatus ?? 'not set up') : 'not signing'}: receivers cannot tie the mail to your domain (DMARC fails)`,
        domain.dkimSigningEnabled
          ? dkimFix
          : `turn on DKIM signing for ${name} (aws sesv2 put-email-identity-dkim-attributes --email-identity ${name} --signing-enabled)`,
      );
    }
    const mailFrom =
      domain.mailFromDomain && domain.mailFromStatus !== 'SUCCESS'
        ? `; the custom MAIL FROM ${domain.mailFromDomain} is ${domain.mailFromStatus ?? 'not set up'}`
        : '';
    if (mailFrom) {
      return warn(
        id,
        title,
        `${name} is verified with DKIM${mailFrom}`,
        `publish the MX and SPF records SES shows for ${domain.mailFromDomain}`,
      );
    }
    return pass(id, title, `${name} is verified and signs with DKIM (${domain.dkimStatus})`);
  }
  const mailbox = addressOf(from);
  if (address?.verifiedForSending) {
    return warn(
      id,
      title,
      `only the address ${mailbox} is verified: mail is DKIM-signed for amazonses.com, not ${name}, so DMARC alignment fails`,
      `verify the domain ${name} with Easy DKIM (aws sesv2 create-email-identity --email-identity ${name})`,
    );
  }
  return fail(
    id,
    title,
    address
      ? `${mailbox} is waiting for its verification mail to be opened, and ${name} is no identity of this account`
      : `neither ${name} nor ${mailbox} is an SES identity of this account and region`,
    `create the domain identity (aws sesv2 create-email-identity --email-identity ${name}) and publish its DKIM records, in the region the digest sends from`,
  );
}

/** Sending enabled, sandbox, rate and quota: three lines. `configuredRate` is transport.maxSendRate. */
export function judgeSesAccount(account: SesAccountFacts, configuredRate?: number): CheckResult[] {
  const results: CheckResult[] = [];
  if (!account.sendingEnabled || account.enforcementStatus === 'SHUTDOWN') {
    results.push(
      fail(
        SENDING.id,
        SENDING.title,
        `sending is ${account.enforcementStatus === 'SHUTDOWN' ? 'shut down by AWS' : 'paused'} for this account: nothing will be accepted`,
        'read the notice in the SES console (Account dashboard → Reputation); once fixed, resume with aws sesv2 put-account-sending-attributes --sending-enabled',
      ),
    );
  } else if (account.enforcementStatus === 'PROBATION') {
    results.push(
      warn(
        SENDING.id,
        SENDING.title,
        'sending is enabled, but the account is on probation (bounce or complaint rate too high)',
        'read the SES console (Account dashboard → Reputation) and fix what it names before the next issue',
      ),
    );
  } else {
    results.push(
      pass(SENDING.id, SENDING.title, `enabled${account.enforcementStatus ? ` (${account.enforcementStatus})` : ''}`),
    );
  }

  results.push(
    account.productionAccessEnabled
      ? pass(SANDBOX.id, SANDBOX.title, 'out of the sandbox: mail can go to any address')
      : warn(
          SANDBOX.id,
          SANDBOX.title,
          'the account is in the sandbox: mail goes only to verified addresses, at most 200 a day',
          'request production access (SES console → Account dashboard → Request production access) before the first real issue; send --to a verified address works meanwhile',
        ),
  );

  const unlimited = account.max24HourSend < 0;
  const left = unlimited ? Number.POSITIVE_INFINITY : Math.max(0, account.max24HourSend - account.sentLast24Hours);
  const quotaText = unlimited
    ? 'no 24-hour limit'
    : `${fmt(left)} of ${fmt(account.max24HourSend)} left in the 24-hour quota`;
  const detail = `${fmt(account.maxSendRate)} message${account.maxSendRate === 1 ? '' : 's'} a second; ${quotaText}`;
  if (!unlimited && left <= 0) {
    results.push(
      fail(
        QUOTA.id,
        QUOTA.title,
        `${detail}: nothing more goes out until the oldest sends are 24 hours old`,
        'wait, or ask AWS for a higher quota (Service Quotas → Amazon SES)',
      ),
    );
  } else if (!unlimited && left < account.max24HourSend * LOW_QUOTA_SHARE) {
    results.push(
      warn(
        QUOTA.id,
        QUOTA.title,
        `${detail}: less than ${LOW_QUOTA_SHARE * 100} % left`,
        'a big issue may have to wait for the quota; ask AWS for more if that is usual',
      ),
    );
  } else if (configuredRate !== undefined && configuredRate > account.maxSendRate) {
    results.push(
      warn(
        QUOTA.id,
        QUOTA.title,
        `${detail}, but transport.maxSendRate asks for ${fmt(configuredRate)}/s: SES will throttle`,
        `lower transport.maxSendRate to ${fmt(account.maxSendRate)} or less, or leave it out to follow the account`,
      ),
    );
  } else {
    results.push(pass(QUOTA.id, QUOTA.title, detail));
  }
  return results;
}

/** The two SES checks of an SES transport. */
export function sesChecks(ses: SesProbe, from: string, configuredRate?: number): Check[] {
  const failed = (what: { id: string; title: string }) => (error: { name?: string; message?: string }) =>
    fail(what.id, what.title, describeError(error), sesErrorFix(error));
  return [
    {
      ...IDENTITY,
      fix: sesErrorFix({}),
      run: async (signal) => {
        try {
          const domain = await ses.identity(domainOf(from), signal);
          const address = domain ? undefined : await ses.identity(addressOf(from), signal);
          return judgeSesIdentity(from, domain, address);
        } catch (error) {
          return failed(IDENTITY)(error as Error);
        }
      },
    },
    {
      ...SENDING,
      title: 'SES account',
      fix: sesErrorFix({}),
      run: async (signal) => {
        try {
          return judgeSesAccount(await ses.account(signal), configuredRate);
        } catch (error) {
          return failed({ id: 'ses-account', title: 'SES account' })(error as Error);
        }
      },
    },
  ];
}
