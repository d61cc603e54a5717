/**
 * Sign-up limits kept in the Store's memos, so they hold across `serve` restarts and across Lambda containers:
 *   - per client IP, a fixed one-hour window (`signup:ip:<bucket>`). IPs are never stored: a keyed hash puts
 *     each in one of 4,096 buckets (IPv6 by its /64, what one subscriber line gets), so the memos stay bounded
 *     whatever the traffic; two IPs sharing a bucket share a limit, a 1-in-4,096 chance;
 *   - per address (per subscriber id, `signup:s:<id>`), a fixed one-day window of sign-up requests, and when
 *     the last confirmation went out (at most one a day).
 *
 * A memo is read, changed and written back. Within one process every such step, and every other state change
 * of a sign-up, confirm or unsubscribe, runs one at a time (`serialized`): the file store keeps every memo in one
 * file, so two writes at once would lose one, and two status changes at once would wait on its file lock by
 * polling. Across Lambda containers the last write wins, so under a burst spread over containers a limit can let
 * a few more through, never fewer.
 */
import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { readMemo, writeMemo } from '../ports/memo';
import { SIGNUP_IP, type Window } from '../ports/memo-kinds';
import type { Memos } from '../ports/store';

export type { Window } from '../ports/memo-kinds';

export const HOUR_SECONDS = 3600;
export const DAY_SECONDS = 86_400;
const IP_BUCKETS = 4096;

const chains = new WeakMap<object, Promise<unknown>>();

/** Runs `fn` after every earlier serialized step on this store in this process has finished (FIFO). */
export function serialized<T>(store: object, fn: () => Promise<T>): Promise<T> {
  const previous = chains.get(store) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  chains.set(
    store,
    next.catch(() => undefined),
  );
  return next;
}

/** The part of an address that one client controls: an IPv4 address, or the /64 of an IPv6 one. */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The memo key of an IP's bucket, which says nothing about the IP. */
export function ipMemoKey(secret: string, ip: string): string {
  return SIGNUP_IP.key(ipBucket(secret, ip));
}

/** The bucket of an IP: a keyed hash, so it says nothing about the IP. */
function ipBucket(secret: string, ip: string): string {
  const digest = createHmac('sha256', secret)
    .update(`signup ip\n${clientKey(ip)}`)
    .digest();
  return (digest.readUInt32BE(0) % IP_BUCKETS).toString(36);
}

/** A fixed window's count after one more hit at `now` (seconds), or how long to wait when `limit` is reached. */
export function hit(
  window: Window | undefined,
  now: number,
  length: number,
  limit: number,
): { window: Window; retryAfter?: number } {
  const current = window && now - window.start < length && now >= window.start ? window : { start: now, count: 0 };
  if (current.count >= limit) return { window: current, retryAfter: Math.max(1, current.start + length - now) };
  return { window: { start: current.start, count: current.count + 1 } };
}

/**
 * Counts one sign-up request from `ip`; `retryAfter` (seconds) when this hour's limit is reached. Run inside
 * `serialized`: it reads and writes a memo.
 */
export async function countIpRequest(
  store: Memos,
  secret: string,
  ip: string,
  limit: number,
  now: number,
): Promise<{ retryAfter?: number }> {
  const bucket = ipBucket(secret, ip);
  // An unreadable count is none: the hour starts over.
  const previous = await readMemo(store, SIGNUP_IP, bucket);
  const { window, retryAfter } = hit(previous, now, HOUR_SECONDS, limit);
  // Of no use once its hour is over (an hour's margin for clocks).
  if (retryAfter === undefined) await writeMemo(store, SIGNUP_IP, bucket, window, window.start + 2 * HOUR_SECONDS);
  return { retryAfter };
}
