import {
  checkEmail,
  displayAddress,
  MAX_ADDRESS_OCTETS,
  maskAddress,
  maskAddressesIn,
  normalizeEmail,
} from '../../../lambda/core/email';

describe('checkEmail', () => {
  it('stores an international domain as punycode, lower-cased, whatever spelling came in', () => {
    for (const written of [
      'user@bücher.example',
      'user@xn--bcher-kva.example',
      'user@BÜCHER.Example',
      'user@ｂüｃｈｅｒ.example',
    ]) {
      expect(normalizeEmail(written)).toBe('user@xn--bcher-kva.example');
    }
    expect(displayAddress('user@xn--bcher-kva.example')).toBe('user@bücher.example');
    expect(displayAddress('Ann@example.com')).toBe('Ann@example.com');
  });

  it('keeps the local part as written (the store compares it case-insensitively), composed to NFC', () => {
    expect(normalizeEmail(' Ann@Example.COM ')).toBe('Ann@example.com');
    expect(normalizeEmail('re\u0301ne@example.com')).toBe(normalizeEmail('r\u00E9ne@example.com'));
  });

  it('names the invisible or control character it refuses', () => {
    expect(checkEmail('zw\u200Bx@example.com')).toEqual({ ok: false, reason: 'invisible', character: 'U+200B' });
    expect(checkEmail('a@example.com\r\n')).toEqual({ ok: false, reason: 'invisible', character: 'U+000D' });
    expect(checkEmail('a\u2066b@example.com')).toMatchObject({ character: 'U+2066' });
    expect(checkEmail('a\uFE0F@example.com')).toMatchObject({ character: 'U+FE0F' });
    expect(checkEmail('a@b')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('counts the limit in octets of the stored form', () => {
    const local = 'a'.repeat(MAX_ADDRESS_OCTETS - '@example.com'.length);
    expect(normalizeEmail(`${local}@example.com`)).toBe(`${local}@example.com`);
    expect(normalizeEmail(`a${local}@example.com`)).toBeUndefined();
    // 371 octets as typed, 239 as stored (the domain in punycode): what is stored and mailed is what counts.
    const label = 'ü'.repeat(50);
    const stored = normalizeEmail(`${'a'.repeat(60)}@${[label, label, label].join('.')}.example`) ?? '';
    expect(Buffer.byteLength(stored)).toBe(239);
    expect(normalizeEmail(`${'ж'.repeat(122)}@example.com`)).toBeUndefined(); // a local part is never converted
  });
});

describe('maskAddress', () => {
  it('keeps the first character and the domain', () => {
    expect(maskAddress('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskAddress('édith@example.com')).toBe('é***@example.com');
    expect(maskAddress('no address')).toBe('***');
  });

  it('masks every address in a message, a path or a list', () => {
    const long = `${'x'.repeat(240)}@example.com`;
    const text = `ENAMETOOLONG: name too long, open '/tmp/outbox/issue-0000-${long}.eml' (to ${long}, cc b@c.org)`;
    const masked = maskAddressesIn(text);
    expect(masked).not.toContain('xxxx');
    expect(masked).toContain('b***@c.org');
    expect(masked).toContain("open '/tmp/outbox/i***@example.com.eml'");
  });
});
