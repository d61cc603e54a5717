/**
 * Typed memos over the `Memos` port. A memo is text under a key; a `MemoKind` says, once, which keys it has,
 * how its value is written and how a stored value is read back and checked. A value that fails the check
 * (a hand edit, a torn or foreign write) is never cast: by its kind's rule it is refused with a StoreError
 * naming the key, or read as no memo at all (where starting over is what is safe, e.g. a cache or a counter).
 * The kinds themselves are in ./memo-kinds.ts.
 */
import { StoreError } from '../core/errors';
import type { Memos } from './store';

export interface MemoKind<T, Id = string> {
  /** What the memo is, in an error message ("enqueue progress"). */
  readonly what: string;
  /** The stored key for one memo of this kind. */
  key(id: Id): string;
  /** The value written: these bytes are what existing stores hold, so a change here is a migration. */
  format(value: T): string;
  /** The stored text read back; throws InvalidMemo (or any error, e.g. JSON's) when it is no such value. */
  parse(text: string): T;
  /**
   * What a stored value that does not parse means: `refuse` fails the read (StoreError naming the key);
   * `absent` reads it as no memo, and the next write replaces it.
   */
  readonly invalid: 'refuse' | 'absent';
}

/** Why a stored text is not a value of its kind. */
export class InvalidMemo extends Error {}

/** Fails a parse with `reason` unless `condition` holds. */
export function check(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new InvalidMemo(reason);
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses JSON and checks it is an object (not an array, not null). */
export function parseJsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  check(isRecord(value), 'not a JSON object');
  return value;
}

/**
 * The memo of `kind` for `id`, checked; undefined when there is none (an empty value is none), or when it is
 * invalid and its kind reads that as none.
 */
export async function readMemo<T, Id>(
  memos: Pick<Memos, 'getMemo'>,
  kind: MemoKind<T, Id>,
  id: Id,
): Promise<T | undefined> {
  const key = kind.key(id);
  const text = await memos.getMemo(key);
  if (text === undefined || text === '') return undefined;
  try {
    return kind.parse(text);
  } catch (cause) {
    if (kind.invalid === 'absent') return undefined;
    throw new StoreError(
      `memo "${key}" (${kind.what}) holds no valid value (${(cause as Error).message}): ${excerpt(text)}; ` +
        'delete it from the store to start that state over',
      { cause },
    );
  }
}

/** Writes the memo of `kind` for `id`; `expiresAt` as `Memos.putMemo` takes it. */
export function writeMemo<T, Id>(
  memos: Pick<Memos, 'putMemo'>,
  kind: MemoKind<T, Id>,
  id: Id,
  value: T,
  expiresAt?: number,
): Promise<void> {
  const text = kind.format(value);
  return expiresAt === undefined ? memos.putMemo(kind.key(id), text) : memos.putMemo(kind.key(id), text, expiresAt);
}

const excerpt = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
