/**
 * The DynamoDB actions each function may call on the table, by name: only what its code reaches through the
 * Store, no Scan, no BatchWriteItem, no streams. The table has no index, so the grants name the table's ARN
 * alone. Two tables make it: what each Store method of the DynamoDB adapter calls (lambda/adapters/dynamodb/*.ts,
 * one part per port; a stack test runs the adapter and checks it), and which Store methods each function's jobs reach (traced by hand from
 * the handlers; the deployment test runs every function under the result).
 */
import type { Store } from '../lambda/ports/store';

export type DigestFunction = 'ComposeIssue' | 'SendBatch' | 'SesEvents' | 'SubscriptionApi';
export type StoreMethod = Exclude<keyof Store, 'description'>;
export type TableAction = `dynamodb:${string}`;

/** Every call a Store method of the DynamoDB adapter can make, on any path (a failed condition included). */
export const STORE_CALLS: Record<StoreMethod, readonly TableAction[]> = {
  // Query of the ISSUES partition; GetItem of the unfinished issue (history) or of an old issue's summary.
  history: ['dynamodb:Query', 'dynamodb:GetItem'],
  listIssues: ['dynamodb:Query', 'dynamodb:GetItem'],
  createIssue: ['dynamodb:PutItem'],
  getIssue: ['dynamodb:GetItem'],
  advanceIssue: ['dynamodb:UpdateItem'],
  // The address index first, then the subscriber (or the repair of an add that stopped half-way).
  addSubscriber: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  addSubscribers: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  findSubscriber: ['dynamodb:GetItem'],
  getSubscriber: ['dynamodb:GetItem'],
  getSubscribers: ['dynamodb:BatchGetItem'],
  setSubscriberStatus: ['dynamodb:UpdateItem'],
  setSubscriberPrefs: ['dynamodb:UpdateItem'],
  listSubscribers: ['dynamodb:Query'],
  getDelivery: ['dynamodb:GetItem'],
  getDeliveries: ['dynamodb:BatchGetItem'],
  // A conditional put; when it fails, GetItem says whether the entry is done or busy.
  claimDelivery: ['dynamodb:PutItem', 'dynamodb:GetItem'],
  releaseClaim: ['dynamodb:DeleteItem'],
  completeDelivery: ['dynamodb:PutItem'],
  countDeliveries: ['dynamodb:Query'],
  tallyShares: ['dynamodb:Query'],
  getMemo: ['dynamodb:GetItem'],
  putMemo: ['dynamodb:PutItem'],
  // Taken and renewed by a conditional put; GetItem names the holder when taken; DeleteItem releases it.
  lock: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
};

/** The Store methods each function's code path reaches. */
export const FUNCTION_STORE_METHODS: Record<DigestFunction, readonly StoreMethod[]> = {
  /**
   * jobs/produce-issue.ts: lock('compose'); compose-next (history; fetch-sources cursors and the sources'
   * memos: getMemo, putMemo); listSubscribers, createIssue, advanceIssue; consume-issue's settleIssue
   * (listSubscribers, getDeliveries, advanceIssue); publish-site (listIssues, getIssue); enqueue-issue
   * (getMemo, listSubscribers, getDeliveries, putMemo). The link check keeps no state in the store.
   */
  ComposeIssue: [
    'lock',
    'history',
    'getMemo',
    'putMemo',
    'listSubscribers',
    'createIssue',
    'advanceIssue',
    'listIssues',
    'getIssue',
    'getDeliveries',
  ],
  /**
   * jobs/consume-issue.ts → send-batch.ts (getIssue, a variant's memo: getMemo, getSubscribers, claimDelivery,
   * completeDelivery, releaseClaim) → settleIssue (listSubscribers, getDeliveries, advanceIssue).
   */
  SendBatch: [
    'getIssue',
    'getMemo',
    'getSubscribers',
    'claimDelivery',
    'completeDelivery',
    'releaseClaim',
    'listSubscribers',
    'getDeliveries',
    'advanceIssue',
  ],
  /**
   * jobs/record-ses-events.ts: findSubscriber, the soft-bounce memos (getMemo, putMemo), setSubscriberStatus;
   * an unsubscribe reply (jobs/subscription.ts unsubscribe): getSubscriber, setSubscriberStatus.
   */
  SesEvents: ['findSubscriber', 'getMemo', 'putMemo', 'setSubscriberStatus', 'getSubscriber'],
  /**
   * jobs/subscription.ts and subscription-limits.ts: the per-IP and per-address memos (getMemo, putMemo),
   * addSubscriber, getSubscriber, setSubscriberStatus; the sign-up page's latest issue (http/subscription-app.ts
   * history).
   */
  SubscriptionApi: [
    'getMemo',
    'putMemo',
    'addSubscriber',
    'getSubscriber',
    'setSubscriberStatus',
    'setSubscriberPrefs',
    'history',
  ],
};

const actionsOf = (methods: readonly StoreMethod[]): readonly TableAction[] =>
  [...new Set(methods.flatMap((m) => STORE_CALLS[m]))].sort();

/**
 * Each function's table actions, sorted:
 *   ComposeIssue     BatchGetItem DeleteItem GetItem PutItem Query UpdateItem
 *   SendBatch        BatchGetItem DeleteItem GetItem PutItem Query UpdateItem
 *   SesEvents        GetItem PutItem UpdateItem
 *   SubscriptionApi  GetItem PutItem Query UpdateItem
 */
export const TABLE_ACCESS: Record<DigestFunction, readonly TableAction[]> = {
  ComposeIssue: actionsOf(FUNCTION_STORE_METHODS.ComposeIssue),
  SendBatch: actionsOf(FUNCTION_STORE_METHODS.SendBatch),
  SesEvents: actionsOf(FUNCTION_STORE_METHODS.SesEvents),
  SubscriptionApi: actionsOf(FUNCTION_STORE_METHODS.SubscriptionApi),
};
