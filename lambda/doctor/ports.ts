/**
 * What doctor's checks need from the world, as facts: the adapters in probes/ find them (SES v2, DNS, HTTP,
 * the store, the Pinboard API source), the checks in checks/ judge them. Every probe takes an AbortSignal and
 * gives up when it fires.
 */

/** SES v2 GetAccount, the parts doctor judges. */
export interface SesAccountFacts {
  sendingEnabled: boolean;
  productionAccessEnabled: boolean;
  /** HEALTHY, PROBATION or SHUTDOWN. */
  enforcementStatus?: string;
  maxSendRate: number;
  /** -1: unlimited. */
  max24HourSend: number;
  sentLast24Hours: number;
}

/** SES v2 GetEmailIdentity, the parts doctor judges. */
export interface SesIdentityFacts {
  identity: string;
  /** DOMAIN, EMAIL_ADDRESS or MANAGED_DOMAIN. */
  type?: string;
  verifiedForSending: boolean;
  /** PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE, NOT_STARTED. */
  verificationStatus?: string;
  dkimStatus?: string;
  dkimSigningEnabled: boolean;
  mailFromDomain?: string;
  mailFromStatus?: string;
}

/** An HTTP answer, with the start of its body. */
export interface PageFacts {
  status: number;
  contentType: string;
  body: string;
  ms: number;
}

export interface SesProbe {
  account(signal: AbortSignal): Promise<SesAccountFacts>;
  /** undefined when SES has no such identity (NotFoundException). */
  identity(name: string, signal: AbortSignal): Promise<SesIdentityFacts | undefined>;
}

export interface DnsProbe {
  /** The TXT records of `name`, each joined from its strings; [] when the name has none (or does not exist). */
  txt(name: string, signal: AbortSignal): Promise<string[]>;
}

export interface HttpProbe {
  get(url: string, accept: string, signal: AbortSignal): Promise<PageFacts>;
}

export interface StoreProbe {
  /** What was checked, e.g. "wrote and removed a file in /x/.digest"; throws what went wrong. */
  reach(signal: AbortSignal): Promise<string>;
}

export interface PinboardProbe {
  /** The source's user, as the config names it. */
  user: string;
  /** The user the token belongs to (its part before the colon). */
  tokenUser: string;
  /** One `posts/update` call: when the bookmarks last changed. */
  lastUpdate(): Promise<string>;
}

/** A bookmark source other than the Pinboard API (the token check reads that one). */
export interface SourceProbe {
  kind: 'feed' | 'pinboard-rss' | 'file';
  /** The source as messages name it: never a secret. */
  label: string;
  /** The Pinboard user, for a pinboard-rss source. */
  user?: string;
  /** Reads it once, as `send` would (nothing kept): how many bookmarks, and what it warned; throws what failed. */
  read(signal: AbortSignal): Promise<{ bookmarks: number; warnings: string[] }>;
}
