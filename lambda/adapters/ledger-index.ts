/**
 * The file store's in-memory view of one issue's ledger: each recipient's latest state and where its
 * latest line starts in the file, so a claim is answered without reading the file and an entry is read
 * with one small positioned read. It is the one thing a send keeps per recipient, so it is packed: the
 * ids the store makes (12 random bytes, 16 characters of base64url) are kept as their 12 bytes in an
 * open-addressing table of 17 bytes a slot: 4.5 MB at 100,000 recipients and 8.9 MB at 300,000, where a
 * Map of id strings to states alone took 6.6 and 23 MB. Any other id (written by hand, by tests) goes in
 * a Map.
 */
import type { DeliveryState } from '../core/model';

const PACKED_ID = /^[A-Za-z0-9_-]{16}$/;
const STATES: readonly DeliveryState[] = ['claimed', 'sent', 'refused', 'omitted'];
/** Slots are added when more than this share is used (linear probing stays short below it). */
const MAX_LOAD = 0.7;
/** An offset not known (yet), or past 4 GiB: the reader scans the file instead. */
const UNKNOWN = 0xffffffff;

export interface LedgerEntry {
  state: DeliveryState;
  /** Byte offset of the recipient's latest line, if known. */
  offset?: number;
}

const code = (state: DeliveryState) => STATES.indexOf(state) + 1;
const packOffset = (offset: number | undefined) =>
  offset !== undefined && offset >= 0 && offset < UNKNOWN ? offset : UNKNOWN;
const entry = (stateCode: number, offset: number): LedgerEntry | undefined => {
  const state = STATES[stateCode - 1];
  if (!state) return undefined;
  return offset === UNKNOWN ? { state } : { state, offset };
};

export class LedgerIndex {
  /** Three 32-bit words of id per slot. */
  private keys: Uint32Array;
  /** 0: empty slot; otherwise 1 + the index of the state in STATES. */
  private states: Uint8Array;
  private offsets: Uint32Array;
  private used = 0;
  private readonly others = new Map<string, { code: number; offset: number }>();
  private readonly scratch = Buffer.alloc(12);
  private readonly words = new Uint32Array(3);

  constructor(capacity = 1024) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(16, capacity)));
    this.keys = new Uint32Array(size * 3);
    this.states = new Uint8Array(size);
    this.offsets = new Uint32Array(size);
  }

  /** Recipients with an entry. */
  get size(): number {
    return this.used + this.others.size;
  }

  /** Bytes held by the packed table (the Map of other ids not counted). */
  get bytes(): number {
    return this.keys.byteLength + this.states.byteLength + this.offsets.byteLength;
  }

  get(id: string): LedgerEntry | undefined {
    if (!PACKED_ID.test(id)) {
      const other = this.others.get(id);
      return other && entry(other.code, other.offset);
    }
    const slot = this.find(id);
    return entry(this.states[slot] ?? 0, this.offsets[slot] ?? UNKNOWN);
  }

  state(id: string): DeliveryState | undefined {
    return this.get(id)?.state;
  }

  /** Records a recipient's latest state; `offset` where its line starts, once written. */
  set(id: string, state: DeliveryState, offset?: number): void {
    if (!PACKED_ID.test(id)) {
      this.others.set(id, { code: code(state), offset: packOffset(offset) });
      return;
    }
    let slot = this.find(id);
    if (this.states[slot] === 0) {
      if ((this.used + 1) / this.states.length > MAX_LOAD) {
        this.grow();
        slot = this.find(id);
      }
      this.used++;
      this.keys.set(this.words, slot * 3);
    }
    this.states[slot] = code(state);
    this.offsets[slot] = packOffset(offset);
  }

  counts(): Record<DeliveryState, number> {
    const counts: Record<DeliveryState, number> = { claimed: 0, sent: 0, refused: 0, omitted: 0 };
    const add = (c: number) => {
      const state = STATES[c - 1];
      if (state) counts[state]++;
    };
    for (const c of this.states) add(c);
    for (const other of this.others.values()) add(other.code);
    return counts;
  }

  /** The slot holding `id`, or the empty slot where it would go; leaves its words in `this.words`. */
  private find(id: string): number {
    this.scratch.write(id, 'base64url');
    this.words[0] = this.scratch.readUInt32LE(0);
    this.words[1] = this.scratch.readUInt32LE(4);
    this.words[2] = this.scratch.readUInt32LE(8);
    return this.probe(this.words[0], this.words[1], this.words[2]);
  }

  private probe(a: number, b: number, c: number): number {
    const mask = this.states.length - 1;
    // The ids are random bytes, so their words are already a good hash.
    for (let slot = (a ^ b) & mask; ; slot = (slot + 1) & mask) {
      if (this.states[slot] === 0) return slot;
      if (this.keys[slot * 3] === a && this.keys[slot * 3 + 1] === b && this.keys[slot * 3 + 2] === c) return slot;
    }
  }

  private grow(): void {
    const { keys, states, offsets } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.states = new Uint8Array(states.length * 2);
    this.offsets = new Uint32Array(offsets.length * 2);
    for (let old = 0; old < states.length; old++) {
      if (states[old] === 0) continue;
      const words = keys.subarray(old * 3, old * 3 + 3);
      const slot = this.probe(words[0] ?? 0, words[1] ?? 0, words[2] ?? 0);
      this.keys.set(words, slot * 3);
      this.states[slot] = states[old] ?? 0;
      this.offsets[slot] = offsets[old] ?? UNKNOWN;
    }
  }
}
