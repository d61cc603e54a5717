import { simpleParser } from 'mailparser';
import { loadConfirmTemplates } from '../../../lambda/adapters/template-files';
import { createConfirmationBuilder } from '../../../lambda/render/confirm-message';
import type { CompiledTemplates } from '../../../lambda/render/templates';

let templates: CompiledTemplates;

beforeAll(async () => {
  templates = await loadConfirmTemplates();
}, 60_000);

const build = (overrides: { alreadyActive?: boolean; name?: string } = {}) =>
  createConfirmationBuilder(templates, {
    title: 'Zoë’s <Links>',
    intro: 'Links & notes.',
    lang: 'en',
    siteUrl: 'https://links.example.com',
    message: { from: 'Zoë’s Links <digest@links.example.com>', replyTo: 'me@links.example.com' },
  })({
    subscriber: { id: 'sub0000000000001', email: 'reader@example.com', name: overrides.name },
    confirmUrl: 'https://links.example.com/confirm?token=abc.def.ghijkl.mno&x=1',
    alreadyActive: overrides.alreadyActive ?? false,
    date: new Date('2026-11-23T09:00:00Z'),
  });

describe('the confirmation email (shipped templates)', () => {
  it('is multipart with a text and an HTML part, every line CRLF, the link in both, no list headers', async () => {
    const message = await build();
    const raw = message.raw.toString('latin1');
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(message).toMatchObject({ issue: 0, to: 'reader@example.com', subscriberId: 'sub0000000000001' });
    const mail = await simpleParser(message.raw);
    expect(mail.subject).toBe('Confirm your subscription to Zoë’s <Links>');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    expect(mail.messageId).toMatch(/^<confirm-sub0000000000001-[0-9a-z]+@links\.example\.com>$/);
    expect(mail.text).toContain('https://links.example.com/confirm?token=abc.def.ghijkl.mno&x=1');
    expect(mail.text).toMatch(/works for 7 days/);
    expect(mail.html).toContain('href="https://links.example.com/confirm?token&#x3D;abc.def.ghijkl.mno&amp;x&#x3D;1"');
    expect(mail.html).toContain('Zoë’s &lt;Links&gt;');
    expect(mail.html).toContain('<html lang="en"');
    expect(mail.html).not.toMatch(/fonts\.googleapis|<img|<script/);
  });

  it('tells an address that already gets the digest that nothing changes', async () => {
    const mail = await simpleParser((await build({ alreadyActive: true, name: 'Reader' })).raw);
    expect(mail.text).toMatch(/already gets it: nothing changes/);
    expect(mail.to).toMatchObject({ value: [{ name: 'Reader', address: 'reader@example.com' }] });
  });
});
