/**
 * A Store made of one adapter per port, as each store adapter builds it over its one directory or table
 * (adapters/file-store.ts, adapters/dynamodb-store.ts): every method goes to the part that owns it.
 */
import type { Delivery, IssueRecord, IssueStatus, ReaderPrefs, SubscriberStatus } from '../core/model';
import type { IssueStore, Ledger, Locks, Memos, NewSubscriber, Store, SubscriberStore } from './store';

export interface StoreParts {
  issues: IssueStore;
  subscribers: SubscriberStore;
  ledger: Ledger;
  memos: Memos;
  locks: Locks;
}

export class ComposedStore<P extends StoreParts = StoreParts> implements Store {
  constructor(
    readonly description: string,
    /** Each port on its own, for a caller that needs only one. */
    readonly parts: P,
  ) {}

  history() {
    return this.parts.issues.history();
  }
  createIssue(record: IssueRecord) {
    return this.parts.issues.createIssue(record);
  }
  getIssue(issue: number) {
    return this.parts.issues.getIssue(issue);
  }
  listIssues() {
    return this.parts.issues.listIssues();
  }
  advanceIssue(issue: number, from: IssueStatus, to: IssueStatus, at: string) {
    return this.parts.issues.advanceIssue(issue, from, to, at);
  }

  addSubscriber(input: NewSubscriber, at: string) {
    return this.parts.subscribers.addSubscriber(input, at);
  }
  addSubscribers(inputs: NewSubscriber[], at: string) {
    return this.parts.subscribers.addSubscribers(inputs, at);
  }
  findSubscriber(email: string) {
    return this.parts.subscribers.findSubscriber(email);
  }
  getSubscriber(id: string) {
    return this.parts.subscribers.getSubscriber(id);
  }
  getSubscribers(ids: string[]) {
    return this.parts.subscribers.getSubscribers(ids);
  }
  setSubscriberStatus(id: string, status: SubscriberStatus, at: string) {
    return this.parts.subscribers.setSubscriberStatus(id, status, at);
  }

  setSubscriberPrefs(id: string, prefs: ReaderPrefs | undefined) {
    return this.parts.subscribers.setSubscriberPrefs(id, prefs);
  }
  listSubscribers(options: { status?: SubscriberStatus; cursor?: string; limit: number }) {
    return this.parts.subscribers.listSubscribers(options);
  }

  getDelivery(issue: number, subscriberId: string) {
    return this.parts.ledger.getDelivery(issue, subscriberId);
  }
  getDeliveries(issue: number, subscriberIds: string[]) {
    return this.parts.ledger.getDeliveries(issue, subscriberIds);
  }
  claimDelivery(issue: number, subscriberId: string, at: string) {
    return this.parts.ledger.claimDelivery(issue, subscriberId, at);
  }
  releaseClaim(issue: number, subscriberId: string) {
    return this.parts.ledger.releaseClaim(issue, subscriberId);
  }
  completeDelivery(delivery: Delivery) {
    return this.parts.ledger.completeDelivery(delivery);
  }
  countDeliveries(issue: number) {
    return this.parts.ledger.countDeliveries(issue);
  }
  tallyShares(issue: number) {
    return this.parts.ledger.tallyShares(issue);
  }

  getMemo(key: string) {
    return this.parts.memos.getMemo(key);
  }
  putMemo(key: string, value: string, expiresAt?: number) {
    return this.parts.memos.putMemo(key, value, expiresAt);
  }

  lock(name: string) {
    return this.parts.locks.lock(name);
  }
}
