/**
 * Opaque, purpose-bound tokens for unsubscribe and confirm links: `<subject>.<expiry>.<key id>.<mac>`, where
 * the MAC is HMAC-SHA256 over purpose, subject, expiry and key id. The subject is a random subscriber id, never
 * an email address; a token made for one purpose never verifies for another.
 *
 * Keys rotate without breaking links already sent: the signing secret holds one key, or several separated by
 * whitespace (`NEW OLD`). The first signs; every one verifies, picked by the key id the token carries (a short
 * hash of the key, so nothing has to be numbered by hand). Tokens made before key ids existed
 * (`<subject>.<expiry>.<mac>`, in every message sent until then) verify against each key in turn.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'unsubscribe' | 'confirm' | 'preferences' | 'review-approve' | 'review-hold' | 'review-note';

const MAC_BYTES = 16;
const KEY_ID_LENGTH = 6;
/** Shorter parts mean the secret is one key that happens to hold whitespace (allowed before rotation existed). */
const MIN_KEY_LENGTH = 32;

export interface SigningKey {
  /** Six URL-safe characters derived from the key: names it in tokens without revealing it. */
  id: string;
  secret: string;
}

export function keyIdOf(secret: string): string {
  return createHash('sha256').update(`pinboard-digest key id\n${secret}`).digest('base64url').slice(0, KEY_ID_LENGTH);
}

const keyrings = new Map<string, SigningKey[]>();

/** The keys a signing secret holds, the signing one first. */
export function signingKeys(secret: string): SigningKey[] {
  let ring = keyrings.get(secret);
  if (!ring) {
    const trimmed = secret.trim();
    const parts = trimmed.split(/\s+/);
    const secrets = parts.length > 1 && parts.every((p) => p.length >= MIN_KEY_LENGTH) ? parts : [trimmed];
    ring = secrets.map((s) => ({ id: keyIdOf(s), secret: s }));
    if (keyrings.size > 16) keyrings.clear(); // a process sees one or two secrets; never let it grow
    keyrings.set(secret, ring);
  }
  return ring;
}

function mac(key: SigningKey, purpose: TokenPurpose, subject: string, expiry: string): Buffer {
  return createHmac('sha256', key.secret)
    .update(`2\n${purpose}\n${subject}\n${expiry}\n${key.id}`)
    .digest()
    .subarray(0, MAC_BYTES);
}

/** The MAC of a token made before key ids (kept so every unsubscribe link already sent still works). */
function legacyMac(secret: string, purpose: TokenPurpose, subject: string, expiry: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}\n${subject}\n${expiry}`).digest().subarray(0, MAC_BYTES);
}

/** A new random id for a subscriber (96 bits, URL-safe). */
export function newSubscriberId(): string {
  return randomBytes(12).toString('base64url');
}

/** Makes a token with the current key; `expiresAt` (ms since epoch) for short-lived purposes such as confirm. */
export function createToken(secret: string, purpose: TokenPurpose, subject: string, expiresAt?: number): string {
  const expiry = expiresAt === undefined ? '0' : Math.floor(expiresAt / 1000).toString(36);
  const [key] = signingKeys(secret) as [SigningKey];
  return `${subject}.${expiry}.${key.id}.${mac(key, purpose, subject, expiry).toString('base64url')}`;
}

export type TokenCheck =
  | { valid: true; subject: string; keyId?: string /** ms since epoch, when the token has one */; expiresAt?: number }
  /** `malformed`: not a token at all; `forged`: no key made it for this purpose; `expired`: genuine but too old. */
  | { valid: false; reason: 'malformed' | 'forged' | 'expired' };

/**
 * The MAC as given is the expected one in its one spelling. Compared as text, not as decoded bytes: base64url
 * decoding ignores the spare low bits of the last character (16 MAC bytes leave 4), so 16 different endings
 * would decode to the same MAC, and a token must verify in exactly one spelling.
 */
const sameMac = (given: string, expected: Buffer) => {
  const actual = Buffer.from(given, 'utf8');
  const wanted = Buffer.from(expected.toString('base64url'), 'utf8');
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
};

/** Checks a token for one purpose: its subject when genuine and unexpired, else why not. */
export function checkToken(secret: string, purpose: TokenPurpose, token: string, now: number): TokenCheck {
  if (token.length > 200) return { valid: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 && parts.length !== 4) return { valid: false, reason: 'malformed' };
  const [subject = '', expiry = ''] = parts;
  const given = parts[parts.length - 1] ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(subject) || !/^[0-9a-z]{1,12}$/.test(expiry) || !/^[A-Za-z0-9_-]+$/.test(given)) {
    return { valid: false, reason: 'malformed' };
  }
  const keys = signingKeys(secret);
  let keyId: string | undefined;
  if (parts.length === 4) {
    keyId = parts[2] ?? '';
    if (!/^[A-Za-z0-9_-]{6}$/.test(keyId)) return { valid: false, reason: 'malformed' };
    const key = keys.find((k) => k.id === keyId);
    if (!key || !sameMac(given, mac(key, purpose, subject, expiry))) return { valid: false, reason: 'forged' };
  } else if (!keys.some((k) => sameMac(given, legacyMac(k.secret, purpose, subject, expiry)))) {
    return { valid: false, reason: 'forged' };
  }
  const expiresAt = expiry === '0' ? undefined : parseInt(expiry, 36) * 1000;
  if (expiresAt !== undefined && expiresAt < now) return { valid: false, reason: 'expired' };
  return { valid: true, subject, ...(keyId ? { keyId } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

/** The subject of a valid, unexpired token for this purpose, or undefined. */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string, now: number): string | undefined {
  const result = checkToken(secret, purpose, token, now);
  return result.valid ? result.subject : undefined;
}
