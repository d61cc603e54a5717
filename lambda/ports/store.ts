import type {
  Delivery,
  IssueRecord,
  IssueStatus,
  OmittedFor,
  ReaderPrefs,
  Subscriber,
  SubscriberStatus,
} from '../core/model';

export interface History {
  /** Number the next new issue gets. */
  nextIssue: number;
  /** The newest fully delivered issue. */
  lastSent?: { issue: number; watermark: string; sentAt: string };
  /** Normalized URLs of every link in every sent issue. */
  sentLinks: Set<string>;
  /** An issue composed or half sent: it is delivered before any new issue is composed. */
  unfinished?: IssueRecord;
}

export interface SubscriberPage {
  items: Subscriber[];
  /** Pass back to get the next page; absent on the last page. */
  cursor?: string;
}

export interface NewSubscriber {
  email: string;
  name?: string;
  status: SubscriberStatus;
  /** When the reader opted in, if earlier than the add (an import keeps the old service's time); default: now. */
  createdAt?: string;
  /** Where the consent came from, for an import (e.g. "Mailchimp export"). */
  source?: string;
  /** The reader's choices, for an import of our own export. */
  prefs?: ReaderPrefs;
}

/** The subscriber a store writes for `input` under a new `id`: the same fields on every adapter. */
export function newSubscriberRecord(id: string, input: NewSubscriber, at: string): Subscriber {
  return {
    id,
    email: input.email,
    ...(input.name ? { name: input.name } : {}),
    status: input.status,
    createdAt: input.createdAt ?? at,
    updatedAt: at,
    ...(input.source ? { source: input.source } : {}),
    ...(input.prefs ? { prefs: input.prefs } : {}),
  };
}

/** One issue as `issues list` shows it: no body, so listing a long history stays cheap. */
export interface IssueSummary {
  issue: number;
  status: IssueStatus;
  subject: string;
  bookmarkCount: number;
  composedAt: string;
  sentAt?: string;
}

export type AddResult = { subscriber: Subscriber; created: boolean };

export type ClaimResult = 'claimed' | 'done' | 'busy';

/** Releases a lock taken with `Locks.lock`. */
export type Release = () => Promise<void>;

/**
 * Durable state, one small port for each kind of it: issues, subscribers, the delivery ledger, memos and
 * locks. Every write is atomic: a crash at any moment leaves the store readable with nothing recorded lost.
 * A job names the port (or the few methods of it) it uses; `Store` is all of them, as the adapters
 * (adapters/file-store.ts, adapters/dynamodb-store.ts) provide them over one directory or one table.
 */

/** The issues: composed, sending, sent. */
export interface IssueStore {
  history(): Promise<History>;
  /** Stores a newly composed issue; fails if that issue number exists. */
  createIssue(record: IssueRecord): Promise<void>;
  getIssue(issue: number): Promise<IssueRecord | undefined>;
  /** Every issue, oldest first, without its body. */
  listIssues(): Promise<IssueSummary[]>;
  /** Moves an issue's status forward only if it is currently `from`; returns whether it moved. */
  advanceIssue(issue: number, from: IssueStatus, to: IssueStatus, at: string): Promise<boolean>;
}

/** The readers: one per address, with a status. */
export interface SubscriberStore {
  /** Adds a subscriber, or returns the existing one for that address (compared case-insensitively). */
  addSubscriber(input: NewSubscriber, at: string): Promise<AddResult>;
  /** Adds many at once (an import): one write, results in input order. */
  addSubscribers(inputs: NewSubscriber[], at: string): Promise<AddResult[]>;
  findSubscriber(email: string): Promise<Subscriber | undefined>;
  getSubscriber(id: string): Promise<Subscriber | undefined>;
  /** Reads many by id at once (a send batch: one round trip instead of one each); ids not found are absent. */
  getSubscribers(ids: string[]): Promise<Map<string, Subscriber>>;
  setSubscriberStatus(id: string, status: SubscriberStatus, at: string): Promise<Subscriber | undefined>;
  /**
   * Replaces a reader's choices (none: the defaults, every section of every issue). `updatedAt` stays: it says
   * when the status last changed (jobs/issue-history.ts counts who left after which issue by it).
   */
  setSubscriberPrefs(id: string, prefs: ReaderPrefs | undefined): Promise<Subscriber | undefined>;
  /** Subscribers page by page, in a stable order; `status` filters. */
  listSubscribers(options: { status?: SubscriberStatus; cursor?: string; limit: number }): Promise<SubscriberPage>;
}

/** The per-recipient delivery ledger: what makes delivery exactly-once per reader. */
export interface Ledger {
  /** The ledger entry for one recipient of one issue. */
  getDelivery(issue: number, subscriberId: string): Promise<Delivery | undefined>;
  /** The ledger entries of these recipients (a recipient with none is absent), in as few reads as the store can. */
  getDeliveries(issue: number, subscriberIds: string[]): Promise<Map<string, Delivery>>;
  /**
   * Claims a recipient before sending (a conditional write). `done`: the ledger already says `sent` or
   * `refused`. `busy`: another run claimed it recently and may be sending it now. A claim left by a
   * crashed run is claimed again once it is stale, so at most the messages in flight at a crash can go
   * out twice.
   */
  claimDelivery(issue: number, subscriberId: string, at: string): Promise<ClaimResult>;
  /** Gives up this run's claim after a failed send (nothing was accepted), so a rerun sends it at once. */
  releaseClaim(issue: number, subscriberId: string): Promise<void>;
  /** Records the outcome of a claimed delivery. */
  completeDelivery(delivery: Delivery): Promise<void>;
  /** Counts of ledger entries for an issue, by state. */
  countDeliveries(issue: number): Promise<Record<Delivery['state'], number>>;
  /** What the readers of an issue got, from its final entries: one pass over its ledger (`issues show`). */
  tallyShares(issue: number): Promise<ShareTally>;
}

/**
 * `sent`: readers sent each rendering, by its key (`whole`: the issue itself; else a variant's or a round-up's
 * key, core/prefs.ts). `omitted`: readers who got nothing by their choice, by why (core/model.ts `omittedFor`).
 */
export interface ShareTally {
  sent: Record<string, number>;
  omitted: Partial<Record<OmittedFor, number>>;
}

/** Adds a final ledger entry to a tally (both ledgers count with it). */
export function tallyEntry(tally: ShareTally, entry: Pick<Delivery, 'state' | 'variant' | 'omittedFor'>): void {
  if (entry.state === 'sent') {
    const key = entry.variant ?? 'whole';
    tally.sent[key] = (tally.sent[key] ?? 0) + 1;
  } else if (entry.state === 'omitted' && entry.omittedFor) {
    tally.omitted[entry.omittedFor] = (tally.omitted[entry.omittedFor] ?? 0) + 1;
  }
}

/**
 * Small values jobs and sources keep between runs (e.g. when Pinboard was last called), as text under a key.
 * Read and write them through their kind (ports/memo.ts, ports/memo-kinds.ts), which validates what it reads.
 */
export interface Memos {
  getMemo(key: string): Promise<string | undefined>;
  /**
   * `expiresAt` (epoch seconds): after it the memo is of no use, and a store with expiry (DynamoDB's TTL) may
   * delete it, within days of that time; a reader must not count on it being there, or gone.
   */
  putMemo(key: string, value: string, expiresAt?: number): Promise<void>;
}

/** Exclusive locks for jobs. */
export interface Locks {
  /** Exclusive lock for one job (e.g. sending); throws StoreError if another live run holds it. */
  lock(name: string): Promise<Release>;
}

/** Every port of durable state, as one adapter provides them. */
export interface Store extends IssueStore, SubscriberStore, Ledger, Memos, Locks {
  readonly description: string;
}
