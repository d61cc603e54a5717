/** A feed's bytes are read in the charset its BOM, HTTP header or XML declaration names (in that order). */
import iconv from 'iconv-lite';
import { decodeFeedBody } from '../../../../lambda/adapters/feed/charset';

const xml = (encoding: string | undefined, title: string) =>
  `<?xml version="1.0"${encoding ? ` encoding="${encoding}"` : ''}?><rss><channel><title>${title}</title></channel></rss>`;
const encoded = (charset: string, text: string) => iconv.encode(text, charset);

describe('decodeFeedBody', () => {
  it.each([
    ['windows-1251', 'Заметки на полях'],
    ['KOI8-R', 'Заметки на полях'],
    ['ISO-8859-5', 'Заметки на полях'],
    ['EUC-JP', '日記のフィード'],
    ['Shift_JIS', '日記のフィード'],
    ['GB2312', '中文订阅源'],
    ['Big5', '中文訂閱源'],
    ['ISO-8859-2', 'Zażółć gęślą jaźń'],
    ['ISO-8859-15', 'Ça coûte 5 €'],
  ])('reads %s from the XML declaration', (charset, title) => {
    const body = encoded(charset, xml(charset, title));
    const decoded = decodeFeedBody(body, 'application/rss+xml');
    expect(decoded.text).toContain(`<title>${title}</title>`);
    expect(decoded.warning).toBeUndefined();
    // Without the declaration the same bytes are not that text: the declaration is what made it work.
    expect(decodeFeedBody(encoded(charset, xml(undefined, title)), '').text).not.toContain(title);
  });

  it('reads the HTTP header charset, which wins over the declaration (RFC 7303)', () => {
    const body = encoded('koi8-r', xml('windows-1251', 'Привет'));
    expect(decodeFeedBody(body, 'text/xml; charset="KOI8-R"')).toMatchObject({ charset: 'koi8-r' });
    expect(decodeFeedBody(body, 'text/xml; charset="KOI8-R"').text).toContain('<title>Привет</title>');
  });

  it('lets the declaration win over a header claiming UTF-8 for bytes that are not UTF-8', () => {
    const body = encoded('windows-1251', xml('windows-1251', 'Привет'));
    const decoded = decodeFeedBody(body, 'application/rss+xml; charset=utf-8');
    expect(decoded).toMatchObject({ charset: 'windows-1251' });
    expect(decoded.text).toContain('<title>Привет</title>');
  });

  it('reads ISO-8859-1 as windows-1252, as browsers do: curly quotes from such feeds survive', () => {
    const body = Buffer.concat([
      Buffer.from(xml('ISO-8859-1', '')).subarray(0, 60),
      Buffer.from([0x93, 0x48, 0x69, 0x94]),
    ]);
    expect(decodeFeedBody(body, '').text).toContain('“Hi”');
  });

  it.each([
    ['a UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml('windows-1251', 'Ünïcode'))])],
    ['a UTF-16LE BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml(undefined, 'Ünïcode'), 'utf16le')])],
    ['UTF-16 without a BOM', Buffer.from(xml(undefined, 'Ünïcode'), 'utf16le')],
  ])('follows %s', (_what, body) => {
    const decoded = decodeFeedBody(body, 'text/xml; charset=iso-8859-1');
    expect(decoded.text.startsWith('<?xml')).toBe(true);
    expect(decoded.text).toContain('<title>Ünïcode</title>');
  });

  it.each([
    ['win-1251', 'windows-1251', 'Заметки'],
    ['CP936', 'gbk', '中文订阅源'],
    ['EUC-CN', 'gbk', '中文订阅源'],
    ['koi8r', 'koi8-r', 'Заметки'],
  ])('reads %s, a name older libraries accepted, as %s', (label, charset, title) => {
    const decoded = decodeFeedBody(encoded(charset, xml(label, title)), '');
    expect(decoded).toMatchObject({ charset });
    expect(decoded.text).toContain(`<title>${title}</title>`);
    expect(decoded.warning).toBeUndefined();
  });

  it('reads an unknown charset as UTF-8 and says so', () => {
    expect(decodeFeedBody(Buffer.from(xml('x-klingon', 'plain')), '')).toMatchObject({
      charset: 'utf-8',
      warning: 'unknown charset "x-klingon": read as UTF-8',
    });
  });
});
