/**
 * The delivery ledger in the file store: deliveries/000001.jsonl per issue, append-only; a torn last line
 * after a kill is ignored.
 */
import path from 'node:path';
import type { Delivery } from '../../core/model';
import { type ClaimResult, type Ledger, type ShareTally, tallyEntry } from '../../ports/store';
import { LedgerIndex } from '../ledger-index';
import { LineAppender, parseJsonLine, readLineAt, readLines } from '../line-file';

const pad = (n: number) => String(n).padStart(6, '0');
const claimKey = (issue: number, subscriberId: string) => `${issue}:${subscriberId}`;

/** An issue's ledger as this instance sees it: the packed view and the one writer of its file. */
interface IssueLedger {
  index: LedgerIndex;
  appender: LineAppender;
}

export class FileLedger implements Ledger {
  private readonly dir: string;
  private readonly ledgers = new Map<number, Promise<IssueLedger>>();
  /** Claims this instance made: anything else still `claimed` was left by a run that died. */
  private readonly ownClaims = new Set<string>();

  /** `stateDir`: the store's directory; the ledgers are in its `deliveries/`. */
  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'deliveries');
  }

  /**
   * One in-memory ledger per issue, loaded once (concurrent callers share the load) and kept current by
   * this instance's own writes: each recipient's state and the offset of its latest line, packed
   * (ledger-index.ts). The file has the rest. Another process does not write an issue's ledger while a
   * send holds the lock, so the view stays exact.
   */
  private ledger(issue: number): Promise<IssueLedger> {
    let loading = this.ledgers.get(issue);
    if (!loading) {
      loading = this.loadLedger(issue);
      this.ledgers.set(issue, loading);
    }
    return loading;
  }

  private ledgerFile(issue: number) {
    return path.join(this.dir, `${pad(issue)}.jsonl`);
  }

  /** Every whole entry of an issue's ledger, oldest first, with where it starts; a torn line is skipped. */
  private async *entries(issue: number): AsyncGenerator<{ delivery: Delivery; start: number }> {
    for await (const line of readLines(this.ledgerFile(issue))) {
      // A line torn by a kill mid-write is skipped: the send it records never completed, so it is claimed again.
      const delivery = parseJsonLine<Delivery>(line.text);
      if (delivery) yield { delivery, start: line.start };
    }
  }

  private async loadLedger(issue: number): Promise<IssueLedger> {
    const index = new LedgerIndex();
    for await (const { delivery, start } of this.entries(issue))
      index.set(delivery.subscriberId, delivery.state, start);
    return { index, appender: new LineAppender(this.ledgerFile(issue)) };
  }

  /** Records in memory first (so concurrent claims in this process see it at once), then on disk. */
  private async append(delivery: Delivery): Promise<void> {
    const { index, appender } = await this.ledger(delivery.issue);
    index.set(delivery.subscriberId, delivery.state);
    const start = await appender.append(JSON.stringify(delivery));
    // Unless a later write for this recipient came first, its latest line is now known.
    const now = index.get(delivery.subscriberId);
    if (now?.offset === undefined && now?.state === delivery.state) index.set(delivery.subscriberId, now.state, start);
  }

  /** One look-up each in the ledger view (in memory), as getDelivery. */
  async getDeliveries(issue: number, subscriberIds: string[]): Promise<Map<string, Delivery>> {
    const found = new Map<string, Delivery>();
    for (const id of new Set(subscriberIds)) {
      const delivery = await this.getDelivery(issue, id);
      if (delivery) found.set(id, delivery);
    }
    return found;
  }

  /** From the ledger view, then the one line it points at; a full scan only if that line is not the entry. */
  async getDelivery(issue: number, subscriberId: string): Promise<Delivery | undefined> {
    const known = (await this.ledger(issue)).index.get(subscriberId);
    if (!known) return undefined;
    if (known.offset !== undefined) {
      const line = await readLineAt(this.ledgerFile(issue), known.offset);
      const d = line === undefined ? undefined : parseJsonLine<Delivery>(line);
      if (d?.issue === issue && d.subscriberId === subscriberId && d.state === known.state) return d;
    }
    let last: Delivery | undefined;
    for await (const { delivery } of this.entries(issue)) if (delivery.subscriberId === subscriberId) last = delivery;
    return last;
  }

  /** The caller holds the send lock, so a `claimed` entry not made here was left by a run that died. */
  async claimDelivery(issue: number, subscriberId: string, at: string): Promise<ClaimResult> {
    const ledger = (await this.ledger(issue)).index;
    const current = ledger.state(subscriberId);
    if (current && current !== 'claimed') return 'done';
    const key = claimKey(issue, subscriberId);
    if (current && this.ownClaims.has(key)) return 'busy'; // this process is sending it right now
    const claim: Delivery = { issue, subscriberId, state: 'claimed', at };
    ledger.set(subscriberId, 'claimed'); // before any await: a concurrent claim in this process sees it
    this.ownClaims.add(key);
    await this.append(claim);
    return 'claimed';
  }

  async completeDelivery(delivery: Delivery): Promise<void> {
    this.ownClaims.delete(claimKey(delivery.issue, delivery.subscriberId));
    await this.append(delivery);
  }

  async releaseClaim(issue: number, subscriberId: string): Promise<void> {
    // The ledger keeps the `claimed` line; dropping it from this run's claims lets a rerun take it.
    this.ownClaims.delete(claimKey(issue, subscriberId));
  }

  async countDeliveries(issue: number): Promise<Record<Delivery['state'], number>> {
    return (await this.ledger(issue)).index.counts();
  }

  /** One read of the issue's file: each recipient's latest entry. */
  async tallyShares(issue: number): Promise<ShareTally> {
    const latest = new Map<string, Delivery>();
    for await (const { delivery } of this.entries(issue)) latest.set(delivery.subscriberId, delivery);
    const tally: ShareTally = { sent: {}, omitted: {} };
    for (const entry of latest.values()) tallyEntry(tally, entry);
    return tally;
  }
}
