/**
 * The local store: plain files under one directory (`--state`, default `.digest/`).
 *   subscribers.jsonl          one subscriber a line, read page by page (see subscriber-file.ts)
 *   issues/000001.json         one issue record each, rewritten atomically
 *   deliveries/000001.jsonl    the per-recipient ledger, append-only; a torn last line after a kill is ignored
 *   memo.json                  small values sources keep between runs
 *   locks/NAME.lock            exclusive job locks (pid inside; a dead holder's lock is taken over)
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StoreError } from '../core/errors';
import type { Delivery, IssueRecord, IssueStatus, Subscriber, SubscriberStatus } from '../core/model';
import { sleep } from '../core/retry';
import type {
  AddResult,
  ClaimResult,
  History,
  IssueSummary,
  NewSubscriber,
  Release,
  Store,
  SubscriberPage,
} from '../ports/store';
import { createFileExclusive, readFileIfExists, writeFileAtomic } from './fs-util';
import { LedgerIndex } from './ledger-index';
import { LineAppender, parseJsonLine, readLineAt, readLines } from './line-file';
import { SubscriberFile } from './subscriber-file';

const pad = (n: number) => String(n).padStart(6, '0');
const claimKey = (issue: number, subscriberId: string) => `${issue}:${subscriberId}`;

function parseJson<T>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new StoreError(`${file} is not valid JSON (${(cause as Error).message}); restore it from a backup`, {
      cause,
    });
  }
}

/** An issue's ledger as this instance sees it: the packed view and the one writer of its file. */
interface Ledger {
  index: LedgerIndex;
  appender: LineAppender;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileStore implements Store {
  readonly description: string;
  private readonly subscribers: SubscriberFile;
  private readonly ledgers = new Map<number, Promise<Ledger>>();
  /** Claims this instance made: anything else still `claimed` was left by a run that died. */
  private readonly ownClaims = new Set<string>();

  constructor(private readonly dir: string) {
    this.description = `file store ${dir}`;
    this.subscribers = new SubscriberFile(path.join(dir, 'subscribers.jsonl'), (name, waitMs) =>
      this.lock(name, waitMs),
    );
  }

  private file(...parts: string[]) {
    return path.join(this.dir, ...parts);
  }

  // ---- issues -------------------------------------------------------------------------------------

  private async readIssues(): Promise<IssueRecord[]> {
    const dir = this.file('issues');
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: IssueRecord[] = [];
    for (const name of names.filter((n) => /^\d+\.json$/.test(n)).sort()) {
      const file = path.join(dir, name);
      records.push(parseJson<IssueRecord>(await fs.readFile(file, 'utf8'), file));
    }
    return records;
  }

  async history(): Promise<History> {
    const records = await this.readIssues();
    const sentLinks = new Set<string>();
    let lastSent: History['lastSent'];
    let unfinished: IssueRecord | undefined;
    let nextIssue = 1;
    for (const r of records) {
      nextIssue = Math.max(nextIssue, r.issue + 1);
      if (r.status === 'sent') {
        for (const link of r.links) sentLinks.add(link);
        if (!lastSent || r.issue > lastSent.issue) {
          lastSent = { issue: r.issue, watermark: r.watermark, sentAt: r.sentAt ?? r.composedAt };
        }
      } else if (!unfinished) {
        unfinished = r;
      }
    }
    return { nextIssue, lastSent, sentLinks, unfinished };
  }

  async createIssue(record: IssueRecord): Promise<void> {
    const file = this.issueFile(record.issue);
    if (!(await createFileExclusive(file, JSON.stringify(record)))) {
      throw new StoreError(`issue ${record.issue} already exists in ${file}`);
    }
  }

  async getIssue(issue: number): Promise<IssueRecord | undefined> {
    const file = this.issueFile(issue);
    const text = await readFileIfExists(file);
    return text === undefined ? undefined : parseJson<IssueRecord>(text, file);
  }

  async listIssues(): Promise<IssueSummary[]> {
    return (await this.readIssues()).map((r) => ({
      issue: r.issue,
      status: r.status,
      subject: r.model.subject,
      bookmarkCount: r.model.bookmarkCount,
      composedAt: r.composedAt,
      ...(r.sentAt ? { sentAt: r.sentAt } : {}),
    }));
  }

  async advanceIssue(issue: number, from: IssueStatus, to: IssueStatus, at: string): Promise<boolean> {
    const record = await this.getIssue(issue);
    if (!record || record.status !== from) return false;
    const next: IssueRecord = { ...record, status: to, ...(to === 'sent' ? { sentAt: at } : {}) };
    await writeFileAtomic(this.issueFile(issue), JSON.stringify(next));
    return true;
  }

  // ---- subscribers --------------------------------------------------------------------------------

  addSubscriber(input: NewSubscriber, at: string): Promise<AddResult> {
    return this.subscribers.add([input], at).then(([result]) => {
      if (!result) throw new StoreError('internal: no result for an added subscriber');
      return result;
    });
  }

  addSubscribers(inputs: NewSubscriber[], at: string): Promise<AddResult[]> {
    return this.subscribers.add(inputs, at);
  }

  findSubscriber(email: string): Promise<Subscriber | undefined> {
    const wanted = email.toLowerCase();
    return this.subscribers.find((s) => s.email.toLowerCase() === wanted);
  }

  getSubscriber(id: string): Promise<Subscriber | undefined> {
    return this.subscribers.get(id);
  }

  async getSubscribers(ids: string[]): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    for (const id of ids) {
      const subscriber = await this.subscribers.get(id);
      if (subscriber) found.set(id, subscriber);
    }
    return found;
  }

  setSubscriberStatus(id: string, status: SubscriberStatus, at: string): Promise<Subscriber | undefined> {
    return this.subscribers.update(id, (s) => ({ ...s, status, updatedAt: at }));
  }

  listSubscribers(options: { status?: SubscriberStatus; cursor?: string; limit: number }): Promise<SubscriberPage> {
    return this.subscribers.page(options);
  }

  // ---- delivery ledger ----------------------------------------------------------------------------

  /**
   * One in-memory ledger per issue, loaded once (concurrent callers share the load) and kept current by
   * this instance's own writes: each recipient's state and the offset of its latest line, packed
   * (ledger-index.ts). The file has the rest. Another process does not write an issue's ledger while a
   * send holds the lock, so the view stays exact.
   */
  private ledger(issue: number): Promise<Ledger> {
    let loading = this.ledgers.get(issue);
    if (!loading) {
      loading = this.loadLedger(issue);
      this.ledgers.set(issue, loading);
    }
    return loading;
  }

  private issueFile(issue: number) {
    return this.file('issues', `${pad(issue)}.json`);
  }

  private ledgerFile(issue: number) {
    return this.file('deliveries', `${pad(issue)}.jsonl`);
  }

  /** Every whole entry of an issue's ledger, oldest first, with where it starts; a torn line is skipped. */
  private async *entries(issue: number): AsyncGenerator<{ delivery: Delivery; start: number }> {
    for await (const line of readLines(this.ledgerFile(issue))) {
      // A line torn by a kill mid-write is skipped: the send it records never completed, so it is claimed again.
      const delivery = parseJsonLine<Delivery>(line.text);
      if (delivery) yield { delivery, start: line.start };
    }
  }

  private async loadLedger(issue: number): Promise<Ledger> {
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

  // ---- memos and locks ----------------------------------------------------------------------------

  private async memos(): Promise<Record<string, string>> {
    const file = this.file('memo.json');
    const text = await readFileIfExists(file);
    return text === undefined ? {} : parseJson<Record<string, string>>(text, file);
  }

  async getMemo(key: string): Promise<string | undefined> {
    return (await this.memos())[key];
  }

  /** Expiry is not kept here: the local memos stay few (one per sign-up address, 4,096 IP buckets at most). */
  async putMemo(key: string, value: string): Promise<void> {
    const all = await this.memos();
    all[key] = value;
    await writeFileAtomic(this.file('memo.json'), JSON.stringify(all));
  }

  async lock(name: string, waitMs = 0): Promise<Release> {
    const file = this.file('locks', `${name}.lock`);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (await createFileExclusive(file, String(process.pid))) {
        return async () => {
          await fs.rm(file, { force: true });
        };
      }
      const holder = Number(await readFileIfExists(file));
      if (holder && !isAlive(holder)) {
        // The holder died (kill -9, crash): its lock is stale.
        await fs.rm(file, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new StoreError(
          `another run (pid ${holder || 'unknown'}) is using ${this.dir} for "${name}"; wait for it to finish`,
        );
      }
      await sleep(50);
    }
  }
}
