import { createHmac } from 'node:crypto';
import {
  checkToken,
  createToken,
  keyIdOf,
  newSubscriberId,
  signingKeys,
  verifyToken,
} from '../../../lambda/core/tokens';

const SECRET = 'k'.repeat(40);

describe('tokens', () => {
  it('verifies a token for its own purpose and subject only', () => {
    const token = createToken(SECRET, 'unsubscribe', 'abc123');
    expect(verifyToken(SECRET, 'unsubscribe', token, 0)).toBe('abc123');
    expect(verifyToken(SECRET, 'confirm', token, 0)).toBeUndefined();
    expect(verifyToken('another-secret-another-secret-1234', 'unsubscribe', token, 0)).toBeUndefined();
  });

  it('rejects a token whose subject or MAC was changed', () => {
    const token = createToken(SECRET, 'unsubscribe', 'abc123');
    const [, expiry, mac] = token.split('.');
    expect(verifyToken(SECRET, 'unsubscribe', `abc124.${expiry}.${mac}`, 0)).toBeUndefined();
    expect(
      verifyToken(SECRET, 'unsubscribe', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 0),
    ).toBeUndefined();
    expect(verifyToken(SECRET, 'unsubscribe', 'garbage', 0)).toBeUndefined();
  });

  it('verifies a token in exactly one spelling: no other last character of the MAC decodes to it', () => {
    const token = createToken(SECRET, 'confirm', 'abc123', 2_000_000_000_000);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spellings = [...alphabet].map((c) => `${token.slice(0, -1)}${c}`);
    expect(spellings.filter((t) => verifyToken(SECRET, 'confirm', t, 0) !== undefined)).toEqual([token]);
    // Padding, or the MAC in base64 rather than base64url, is another spelling too.
    expect(verifyToken(SECRET, 'confirm', `${token}==`, 0)).toBeUndefined();
    const legacyMac = createHmac('sha256', SECRET).update('unsubscribe\nabc\n0').digest().subarray(0, 16);
    const legacy = `abc.0.${legacyMac.toString('base64url')}`;
    expect(verifyToken(SECRET, 'unsubscribe', legacy, 0)).toBe('abc');
    const legacySpellings = [...alphabet].map((c) => `${legacy.slice(0, -1)}${c}`);
    expect(legacySpellings.filter((t) => verifyToken(SECRET, 'unsubscribe', t, 0) !== undefined)).toEqual([legacy]);
  });

  it('expires tokens made with an expiry', () => {
    const token = createToken(SECRET, 'confirm', 'abc', 2_000_000_000_000);
    expect(verifyToken(SECRET, 'confirm', token, 1_999_999_999_000)).toBe('abc');
    expect(verifyToken(SECRET, 'confirm', token, 2_000_000_001_000)).toBeUndefined();
  });

  it('makes random, URL-safe subscriber ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, newSubscriberId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});

describe('key rotation', () => {
  const OLD = 'o'.repeat(40);
  const NEW = 'n'.repeat(40);
  /** A token exactly as the code before key ids made it (every message sent until then carries one). */
  const legacyToken = (secret: string, purpose: string, subject: string) => {
    const mac = createHmac('sha256', secret).update(`${purpose}\n${subject}\n0`).digest().subarray(0, 16);
    return `${subject}.0.${mac.toString('base64url')}`;
  };

  it('names the signing key in the token, and signs with the first key of a ring', () => {
    const token = createToken(`${NEW} ${OLD}`, 'unsubscribe', 'abc123');
    expect(token.split('.')[2]).toBe(keyIdOf(NEW));
    expect(keyIdOf(NEW)).toMatch(/^[A-Za-z0-9_-]{6}$/);
    expect(token).not.toContain(NEW.slice(0, 8));
  });

  it('keeps verifying links signed by an old key once a new one is put in front of it', () => {
    const before = createToken(OLD, 'unsubscribe', 'abc123');
    expect(verifyToken(`${NEW} ${OLD}`, 'unsubscribe', before, 0)).toBe('abc123');
    expect(checkToken(`${NEW} ${OLD}`, 'unsubscribe', before, 0)).toMatchObject({ valid: true, keyId: keyIdOf(OLD) });
  });

  it('refuses a token whose key was retired from the ring', () => {
    const before = createToken(OLD, 'unsubscribe', 'abc123');
    expect(checkToken(NEW, 'unsubscribe', before, 0)).toEqual({ valid: false, reason: 'forged' });
  });

  it('refuses a token whose key id was swapped for another key of the ring', () => {
    const token = createToken(`${NEW} ${OLD}`, 'unsubscribe', 'abc123');
    const [subject, expiry, , mac] = token.split('.');
    const swapped = `${subject}.${expiry}.${keyIdOf(OLD)}.${mac}`;
    expect(checkToken(`${NEW} ${OLD}`, 'unsubscribe', swapped, 0)).toEqual({ valid: false, reason: 'forged' });
  });

  it('verifies unsubscribe tokens made before key ids existed, under the same key or a rotated ring', () => {
    const legacy = legacyToken(OLD, 'unsubscribe', 'abc123');
    expect(verifyToken(OLD, 'unsubscribe', legacy, Date.now())).toBe('abc123');
    expect(verifyToken(`${NEW} ${OLD}`, 'unsubscribe', legacy, Date.now())).toBe('abc123');
    expect(verifyToken(NEW, 'unsubscribe', legacy, Date.now())).toBeUndefined();
    expect(verifyToken(OLD, 'confirm', legacy, Date.now())).toBeUndefined();
  });

  it('treats a secret with short whitespace-separated parts as one key, as before rotation', () => {
    const spaced = 'a secret with spaces that is long enough';
    const token = legacyToken(spaced, 'unsubscribe', 'abc');
    expect(verifyToken(spaced, 'unsubscribe', token, 0)).toBe('abc');
    expect(signingKeys(spaced)).toHaveLength(1);
  });

  it('tells expired from forged from malformed, and checks the MAC before the expiry', () => {
    const token = createToken(SECRET, 'confirm', 'abc', 1_000_000);
    expect(checkToken(SECRET, 'confirm', token, 2_000_000)).toEqual({ valid: false, reason: 'expired' });
    expect(checkToken(`${'z'.repeat(40)}`, 'confirm', token, 2_000_000)).toEqual({ valid: false, reason: 'forged' });
    expect(checkToken(SECRET, 'unsubscribe', token, 0)).toEqual({ valid: false, reason: 'forged' });
    for (const bad of ['', 'a.b', 'a.b.c.d.e', 'ab c.0.x', `${'a'.repeat(300)}.0.x`, 'abc.0.k€y.mac']) {
      expect(checkToken(SECRET, 'confirm', bad, 0)).toEqual({ valid: false, reason: 'malformed' });
    }
    expect(checkToken(SECRET, 'confirm', token, 0)).toEqual({
      valid: true,
      subject: 'abc',
      keyId: keyIdOf(SECRET),
      expiresAt: 1_000_000,
    });
  });
});
