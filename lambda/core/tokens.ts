/**
 * Opaque, purpose-bound tokens for unsubscribe and confirm links: `<subject>.<expiry>.<mac>`, where the
 * MAC is HMAC-SHA256 over purpose, subject and expiry. The subject is a random subscriber id, never an
 * email address; a token made for one purpose never verifies for another.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'unsubscribe' | 'confirm';

const MAC_BYTES = 16;

function mac(secret: string, purpose: TokenPurpose, subject: string, expiry: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}\n${subject}\n${expiry}`).digest().subarray(0, MAC_BYTES);
}

/** A new random id for a subscriber (96 bits, URL-safe). */
export function newSubscriberId(): string {
  return randomBytes(12).toString('base64url');
}

/** Makes a token; `expiresAt` (ms since epoch) for short-lived purposes such as confirm. */
export function createToken(secret: string, purpose: TokenPurpose, subject: string, expiresAt?: number): string {
  const expiry = expiresAt === undefined ? '0' : Math.floor(expiresAt / 1000).toString(36);
  return `${subject}.${expiry}.${mac(secret, purpose, subject, expiry).toString('base64url')}`;
}

/** The subject of a valid, unexpired token for this purpose, or undefined. */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string, now: number): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [subject, expiry, given] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(subject) || !/^[0-9a-z]{1,12}$/.test(expiry)) return undefined;
  const expected = mac(secret, purpose, subject, expiry);
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  if (expiry !== '0' && parseInt(expiry, 36) * 1000 < now) return undefined;
  return subject;
}
