import { createToken, newSubscriberId, verifyToken } from '../../../lambda/core/tokens';

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
