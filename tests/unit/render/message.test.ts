import { simpleParser } from 'mailparser';
import type { IssueRecord } from '../../../lambda/core/model';
import { verifyToken } from '../../../lambda/core/tokens';
import { buildMessage } from '../../../lambda/render/message';
import { messageContext, PLACEHOLDER, SECRET, subscriber } from '../../helpers/factories';

const ctx = messageContext({ mailtoUnsubscribe: true });

const record: IssueRecord = {
  issue: 12,
  status: 'sending',
  model: {
    issue: 12,
    subject: 'Zoë’s Links #12: 2 links ☕',
    preheader: '',
    window: { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' },
    sections: [],
    bookmarkCount: 2,
    carriedOver: 0,
  },
  rendered: {
    subject: 'Zoë’s Links #12: 2 links ☕',
    preheader: '',
    html: `<html><body><p>Café crème</p><a href="${PLACEHOLDER}">Unsubscribe</a></body></html>`,
    text: `Café crème\nUnsubscribe: ${PLACEHOLDER}\n`,
  },
  placeholder: PLACEHOLDER,
  watermark: '2026-11-22T00:00:00.000Z',
  links: [],
  composedAt: '2026-11-23T00:00:00.000Z',
};

async function parsed(sub = subscriber(), context = ctx) {
  const message = await buildMessage(record, sub, context, new Date('2026-11-23T07:00:00Z'));
  return { message, mail: await simpleParser(message.raw), sub };
}

describe('buildMessage', () => {
  it('builds multipart/alternative with a plain-text and an HTML part, UTF-8 intact', async () => {
    const { mail } = await parsed(subscriber({ name: 'Zoë Müller' }));
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(mail.text).toContain('Café crème');
    expect(mail.html).toContain('<p>Café crème</p>');
    expect(mail.subject).toBe('Zoë’s Links #12: 2 links ☕');
    expect(mail.to).toMatchObject({ value: [{ name: 'Zoë Müller' }] });
    expect(mail.from).toMatchObject({ value: [{ name: 'Zoë’s Links', address: 'digest@links.example.com' }] });
  });

  it('sets the RFC 8058 one-click headers with an https URL and a mailto, plus List-Id, Message-ID, Date', async () => {
    const { mail, sub } = await parsed();
    const listUnsubscribe = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const urls = [...listUnsubscribe.matchAll(/<([^>]+)>/g)].map((m) => m[1] ?? '');
    expect(urls).toHaveLength(2);
    expect(urls[0]).toMatch(/^https:\/\/links\.example\.com\/unsubscribe\?token=/);
    expect(urls[1]).toMatch(/^mailto:me@links\.example\.com\?subject=unsubscribe/);
    const line = (key: string) => mail.headerLines.find((h) => h.key === key)?.line;
    expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(line('list-id')).toMatch(/^List-I[dD]: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <zoes-links\.links\.example\.com>$/);
    const encoded = /B\?([^?]+)\?=/.exec(line('list-id') ?? '')?.[1] ?? '';
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe('Zoë’s Links');
    expect(mail.messageId).toBe(`<digest-12-${sub.id}@links.example.com>`);
    expect(mail.date?.toISOString()).toBe('2026-11-23T07:00:00.000Z');
    expect(mail.html).toContain(`href="${urls[0]}"`);
    expect(mail.text).toContain(urls[0]);
    expect(mail.html).not.toContain(PLACEHOLDER);
  });

  it('offers no mailto in List-Unsubscribe unless the config says someone reads the replies', async () => {
    const { mail } = await parsed(subscriber(), messageContext());
    const listUnsubscribe = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const urls = [...listUnsubscribe.matchAll(/<([^>]+)>/g)].map((m) => m[1] ?? '');
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(/^https:\/\/links\.example\.com\/unsubscribe\?token=/);
    expect(listUnsubscribe).not.toContain('mailto:');
  });

  it('names the unsubscribe mailbox of its own in the mailto when the config has one', async () => {
    const { mail } = await parsed(
      subscriber(),
      messageContext({ mailtoUnsubscribe: true, mailtoAddress: 'unsubscribe@links.example.com' }),
    );
    const listUnsubscribe = mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    expect(listUnsubscribe).toMatch(/<mailto:unsubscribe@links\.example\.com\?subject=unsubscribe%20[^>]+>/);
    expect(mail.replyTo?.text ?? mail.from?.text).not.toContain('unsubscribe@');
  });

  it('gives every recipient a different opaque token that names them, not their address', async () => {
    const a = await parsed(subscriber({ email: 'a@example.com' }));
    const b = await parsed(subscriber({ email: 'b@example.com' }));
    const tokenOf = (text: string | undefined) => /token=([^\s"&]+)/.exec(text ?? '')?.[1] ?? '';
    const ta = decodeURIComponent(tokenOf(a.mail.text));
    const tb = decodeURIComponent(tokenOf(b.mail.text));
    expect(ta).not.toBe(tb);
    expect(ta).not.toContain('example.com');
    expect(verifyToken(SECRET, 'unsubscribe', ta, Date.now())).toBe(a.sub.id);
    expect(verifyToken(SECRET, 'unsubscribe', tb, Date.now())).toBe(b.sub.id);
    expect(verifyToken(SECRET, 'confirm', ta, Date.now())).toBeUndefined();
  });
});
