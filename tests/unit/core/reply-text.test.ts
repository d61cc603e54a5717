/** The author's words in a reply, as the big clients quote: only the lines above the quoted preflight. */
import { replyText, textAboveQuote } from '../../../lambda/core/reply-text';

const message = (headers: string[], body: string) => [...headers, '', body].join('\r\n');

describe('textAboveQuote', () => {
  it.each([
    ['Gmail', 'Short and sweet.\n\nOn Fri, 27 Nov 2026 at 07:00, My Links <d@x.com> wrote:\n> Preflight'],
    ['Apple Mail', 'Short and sweet.\n\n> On 27 Nov 2026, at 07:00, My Links <d@x.com> wrote:\n>\n> Preflight'],
    ['Outlook', 'Short and sweet.\n\n________________________________\nFrom: My Links <d@x.com>\nSent: Friday'],
    ['Outlook (old)', 'Short and sweet.\n-----Original Message-----\nFrom: My Links'],
    ['a signature', 'Short and sweet.\n-- \nThe Author'],
    [
      'Gmail, the attribution wrapped',
      'Short and sweet.\n\nOn Fri, Dec 4, 2026 at 7:00 AM Links I Found <\ndigest@links.example.com> wrote:\n> x',
    ],
    ['Dutch', 'Short and sweet.\n\nOp vr 4 dec 2026 om 07:00 schreef Links <d@x.com>:\n> x'],
    ['a phone', 'Short and sweet.\n\nSent from my iPhone\n\n> x'],
    ['Outlook’s From block', 'Short and sweet.\n\nFrom: Links <d@x.com>\nSent: Friday, 4 December\nTo: me'],
  ])('%s', (_, text) => {
    expect(textAboveQuote(text)).toBe('Short and sweet.');
  });

  it('keeps a note that starts with "From:" when no Outlook block follows', () => {
    expect(textAboveQuote('From: the desk of the editor.\n\nA quiet week.')).toBe(
      'From: the desk of the editor.\n\nA quiet week.',
    );
  });

  it('keeps paragraphs and the author’s own lines that merely mention a quote', () => {
    expect(textAboveQuote('One.\n\n\n\nTwo: as she said, "wrote" is a verb.\n> quoted')).toBe(
      'One.\n\nTwo: as she said, "wrote" is a verb.',
    );
  });
});

describe('replyText', () => {
  it('reads a base64 UTF-8 text part inside nested multiparts', () => {
    const inner = Buffer.from('Привет, *мир*.\r\n\r\nOn Fri, X wrote:\r\n> old', 'utf8').toString('base64');
    const raw = message(
      ['From: a@x.com', 'Content-Type: multipart/mixed; boundary=outer'],
      [
        '--outer',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        inner,
        '--inner--',
        '--outer--',
      ].join('\r\n'),
    );
    expect(replyText(raw)).toBe('Привет, *мир*.');
  });

  it('falls back to the HTML part, tags dropped, the blockquote cut', () => {
    const raw = message(
      ['Content-Type: text/html; charset=utf-8'],
      '<div>Fish &amp; chips<br>today</div><blockquote>Preflight: not sent yet</blockquote>',
    );
    expect(replyText(raw)).toBe('Fish & chips\ntoday');
  });

  it('reads quoted-printable in another charset, and a message with no text as empty', () => {
    const raw = message(
      ['Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable'],
      'Caf=E9 =\r\nnoir.',
    );
    expect(replyText(raw)).toBe('Café noir.');
    expect(replyText(message(['Content-Type: image/png'], 'xxxx'))).toBe('');
  });
});
