import { RenderError } from '../../../lambda/core/errors';
import { MAX_LISTED, type PreflightInput, renderPreflight, sendAtLabel } from '../../../lambda/render/preflight';
import {
  DRAFTED_AT,
  type DraftOptions,
  decodeEntities,
  draftFixture,
  NOTHING_LEFT_OUT,
  REVIEW_LINKS,
  SEND_AT,
} from '../../helpers/draft-fixture';

const HOSTILE_TITLES = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];

async function preflight(options: DraftOptions = {}, overrides: Partial<PreflightInput> = {}) {
  const { draft, issue } = await draftFixture(options);
  const input: PreflightInput = {
    draft,
    title: 'Test Digest',
    lang: 'en',
    links: REVIEW_LINKS,
    issue,
    replyForNote: false,
    now: DRAFTED_AT,
    ...overrides,
  };
  return { input, out: renderPreflight(input), draft, issue };
}

/** The block's markup: from its wrapper to the end of its Outlook table. */
function blockOf(html: string): string {
  const start = html.indexOf('<div class="pfl"');
  const end = html.indexOf('<![endif]-->', html.indexOf('</table>\n</div>', start));
  if (start < 0 || end < 0) throw new Error('no preflight block');
  return html.slice(start, end);
}

/** What the block says, a line per block element or line break, tags out, entities decoded, no blank lines. */
const words = (html: string) =>
  decodeEntities(
    blockOf(html)
      .replace(/<br>|<\/div>|<\/td>/g, '\n')
      .replace(/<[^>]+>/g, ''),
  )
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '')
    .join('\n');

/** The three buttons: label and decoded href, in order. */
const buttons = (html: string) =>
  [...blockOf(html).matchAll(/<a class="pfl-b[12]" href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({
    label: m[2],
    href: decodeEntities(m[1] ?? ''),
  }));

describe('renderPreflight: the message', () => {
  it('is the issue as readers get it, with the block right after <body> in place of the hidden preheader', async () => {
    const { out, issue } = await preflight();
    const body = /<body\b[^>]*>/.exec(issue.html);
    if (!body) throw new Error('no body in the issue');
    const afterBody = issue.html.slice(body.index + body[0].length);
    const issuePreheader = /^\s*<div style="display:none;[^"]*">[^<]*<\/div>/.exec(afterBody)?.[0] ?? '';
    expect(issuePreheader).toContain('Container queries in practice');
    const rest = afterBody.slice(issuePreheader.length);

    // The issue's markup after its preheader, to the last byte, ends the message.
    expect(out.html.endsWith(rest)).toBe(true);
    expect(rest.length).toBeGreaterThan(10_000);
    // Its head is kept, with one stylesheet added before </head> (the block's dark colours).
    const headEnd = issue.html.indexOf('</head>');
    expect(out.html.startsWith(issue.html.slice(0, headEnd))).toBe(true);
    expect(out.html.slice(headEnd, out.html.indexOf('</head>'))).toMatch(
      /^<style type="text\/css">\n@media \(prefers-color-scheme: dark\) \{[\s\S]*\.pfl-box[\s\S]*<\/style>\n$/,
    );
    // Then <body …>, the preflight's preheader (hidden, where MJML puts one), the block.
    const between = out.html.slice(out.html.indexOf(body[0]) + body[0].length, out.html.length - rest.length);
    expect(between).toMatch(/^\n<div style="display:none;[^"]*">Issue goes out Saturday, November 28, 2026/);
    expect(between).toContain('<div class="pfl"');
    expect(between).not.toContain(issuePreheader.trim());
    expect(out.html.match(/<body\b/g)).toHaveLength(1);
    expect(out.html).toContain('</html>');
  });

  it('leaves an issue preheader it does not recognise where it is, and refuses HTML without <body>', async () => {
    const { input } = await preflight();
    const issueHtml =
      '<html><head></head><body style="margin:0"><span class="pre">Own preview</span><p>Hi</p></body></html>';
    const out = renderPreflight({ ...input, issue: { html: issueHtml, text: 'Hi' } });
    expect(out.html).toMatch(
      /^<html><head><style[\s\S]*<\/style>\n<\/head><body style="margin:0">\n<!--\[if mso[\s\S]*<span class="pre">Own preview<\/span><p>Hi<\/p><\/body><\/html>$/,
    );
    expect(out.html).not.toContain('display:none');
    expect(() => renderPreflight({ ...input, issue: { html: '<p>no body</p>', text: '' } })).toThrow(RenderError);
  });

  it('says what goes out, when, to how many, in which mode, what it holds, what was left out and its size', async () => {
    const { out, draft } = await preflight();
    const said = words(out.html);
    expect(said).toContain('Preflight: not sent yet');
    expect(said).toContain('Test Digest, issue #3');
    expect(said).toContain(`Subject: ${draft.record.model.subject}`);
    expect(draft.record.model.subject).toBe('Test Digest #3: 12 links');
    expect(said).toContain(`Preheader: ${draft.record.model.preheader}`);
    expect(said).toContain(
      'Goes out Saturday, November 28, 2026 at 7:00 AM (Europe/London), in 14 hours, to 1,234 readers.',
    );
    expect(said).toContain('It goes out by itself unless you hold it.');
    expect(said).not.toMatch(/Approved|Held:/);
    expect(said).toContain('• css: 4 links\n');
    expect(said).toContain('• email: 4 links\n');
    expect(said).toContain('• rust: 4 links\n');
    for (const line of ['3 private bookmarks (never shown)', '1 marked to read', '2 already sent', '1 duplicate']) {
      expect(said).toContain(`• ${line}\n`);
    }
    expect(said).not.toMatch(/excluded tag|included tag|outside the window|http\(s\) link/);
    expect(said).toContain('• A long read for next week (example.org): over the limit\n');
    expect(said).toContain('• A post that moved away (gone.example.net): 404 Not Found; dropped for good\n');
    const kb = (draft.preflight.htmlBytes / 1000).toFixed(1);
    const percent = Math.round((draft.preflight.htmlBytes / 95_000) * 100);
    expect(said).toContain(`${kb} KB of 95 KB (${percent} %)`);
    expect(said).not.toMatch(/size budget|Warnings|Your note/);
    expect(out.preheader).toBe(
      'Issue goes out Saturday, November 28, 2026 at 7:00 AM (Europe/London), in 14 hours, to 1,234 readers; it goes out by itself unless you hold it.',
    );
  });

  it('says the approve mode, an approved or held state, and a send time already past', async () => {
    const approved = await preflight({ mode: 'approve', state: 'approved' });
    expect(words(approved.out.html)).toContain('It goes out only if you approve it.');
    expect(words(approved.out.html)).toContain('Approved: it goes out at the send time.');
    const held = await preflight({ state: 'held' }, { now: new Date(Date.parse(SEND_AT) + 60_000) });
    expect(words(held.out.html)).toContain('Held: it does not go out; its links wait for the next draft.');
    expect(words(held.out.html)).toContain('(Europe/London), the send time has passed, to 1,234 readers.');
  });

  it('counts every kind left out in words, and one reader and one link in the singular', async () => {
    const { out } = await preflight({
      preflight: {
        counts: {
          private: 1,
          toread: 2,
          alreadySent: 1,
          excludedTag: 4,
          notIncludedTag: 5,
          outsideWindow: 6,
          duplicate: 2,
          unsupportedScheme: 1,
        },
        readers: 1,
        carried: [],
        dead: [],
      },
      titles: [],
    });
    const said = words(out.html);
    expect(said).toContain(
      [
        '• 1 private bookmark (never shown)',
        '• 2 marked to read',
        '• 1 already sent',
        '• 4 with an excluded tag',
        '• 5 without an included tag',
        '• 6 outside the window',
        '• 2 duplicates',
        '• 1 not an http(s) link',
      ].join('\n'),
    );
    expect(said).toContain('to 1 reader.');
    expect(said).not.toMatch(/Carried|Dead links/);
    const none = await preflight({ preflight: { counts: NOTHING_LEFT_OUT } });
    expect(words(none.out.html)).toContain('Left out\nNothing.\n');
  });

  it('says what readers get by their choices when some chose, and nothing of it when none did', async () => {
    const shares = [
      { label: 'the whole issue', readers: 1200 },
      { label: 'only Science', readers: 20 },
      { label: 'monthly: waiting for their round-up', readers: 10 },
      { label: 'paused', readers: 4 },
    ];
    const { out } = await preflight({ preflight: { shares } });
    expect(words(out.html)).toContain(
      'Readers, by their choices\n• 1,200: the whole issue\n• 20: only Science\n• 10: monthly: waiting for their round-up\n• 4: paused\n',
    );
    expect(out.text).toContain('Readers, by their choices:\n* 1,200: the whole issue\n* 20: only Science');
    expect(words((await preflight({})).out.html)).not.toContain('Readers, by their choices');
  });

  it('warns about the size above 90 % of the budget, and not at 90 %', async () => {
    const at = (htmlBytes: number) => preflight({ preflight: { htmlBytes, maxHtmlBytes: 100_000 } });
    const near = words((await at(90_001)).out.html);
    expect(near).toContain('90 KB of 100 KB (90 %)\nClose to the size budget');
    expect(near).toContain('Close to the size budget: Gmail clips a message past about 102 KB');
    expect(words((await at(90_000)).out.html)).not.toContain('size budget');
    expect(words((await at(101_000)).out.html)).toContain('101 KB of 100 KB (101 %)\nOver the size budget');
  });

  it('shows warnings and the note as text, line breaks kept, and offers to change the note', async () => {
    const note = 'First *line* of the note\n**Second** line\n\n[Third](https://example.com/x)';
    const { out } = await preflight({ note, preflight: { warnings: ['Link check: 2 hosts did not answer'] } });
    const said = words(out.html);
    expect(said).toContain('Warnings\nLink check: 2 hosts did not answer');
    expect(said).toContain('Your note (shown above the links)\nFirst *line* of the note\n**Second** line\n[Third]');
    expect(blockOf(out.html)).toContain(
      '>First *line* of the note<br>**Second** line<br><br>[Third](https://example.com/x)</div>',
    );
    expect(buttons(out.html).map((b) => b.label)).toEqual(['Approve', 'Hold', 'Change the note']);
  });

  it('links the three buttons to the links it was given, and offers a reply only where one works', async () => {
    const { out } = await preflight();
    expect(buttons(out.html)).toEqual([
      { label: 'Approve', href: REVIEW_LINKS.approve },
      { label: 'Hold', href: REVIEW_LINKS.hold },
      { label: 'Add a note', href: REVIEW_LINKS.note },
    ]);
    expect(words(out.html)).not.toContain('reply');
    const replying = await preflight({}, { replyForNote: true });
    expect(words(replying.out.html)).toContain('Or reply to this message: the text above the quote becomes the note.');
  });

  it('refuses a link that is not http(s)', async () => {
    const { input } = await preflight();
    expect(() => renderPreflight({ ...input, links: { ...REVIEW_LINKS, hold: 'javascript:alert(1)' } })).toThrow(
      "the preflight's hold link is not an http(s) URL",
    );
  });

  it('escapes hostile titles, subjects, notes and warnings everywhere in the block', async () => {
    const hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
    const { draft, issue, input } = await preflight({
      titles: HOSTILE_TITLES,
      note: '</div><script>alert(3)</script>',
      preflight: {
        warnings: [hostile],
        carried: [{ url: 'https://a.example/"onmouseover="x', title: hostile, why: 'over the size budget' }],
        dead: [
          { url: 'https://b.example/', title: HOSTILE_TITLES[0] ?? '', status: 410, reason: hostile, action: 'held' },
        ],
      },
    });
    const record = { ...draft.record, model: { ...draft.record.model, subject: `<b>${hostile}</b>` } };
    const out = renderPreflight({ ...input, draft: { ...draft, record }, title: '<i>T</i>', issue });
    const block = blockOf(out.html);
    expect(block).not.toMatch(/<script|<img|<b>|<i>|onmouseover="/);
    expect(out.html).not.toMatch(/<script|<img/);
    expect(block).toContain('&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(block).toContain('&quot;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;');
    const said = words(out.html);
    expect(said).toContain(`Subject: <b>${hostile}</b>`);
    expect(said).toContain('<i>T</i>, issue #3');
    expect(said).toContain(`Preheader: ${HOSTILE_TITLES[0]}, ${HOSTILE_TITLES[1]}`);
    expect(said).toContain(`• ${hostile} (a.example): over the size budget`);
    expect(said).toContain(`• <script>alert(1)</script> (b.example): ${hostile}; held back, checked again`);
    expect(out.subject).toBe(`Preflight: <b>${hostile}</b> (goes out Sat, Nov 28, 7:00 AM)`);
  });
});

describe('renderPreflight: the text part and the subject', () => {
  it('is the block as text, each link on its own line, a line of dashes, then the issue text as it is', async () => {
    const { out, issue, draft } = await preflight({ note: 'A note\non two lines' }, { replyForNote: true });
    const [block, ...after] = out.text.split(`\n\n${'-'.repeat(72)}\n\n`);
    expect(after.join('')).toBe(issue.text);
    const lines = (block ?? '').split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'PREFLIGHT: NOT SENT YET',
      '',
      'Test Digest, issue #3',
      `Subject: ${draft.record.model.subject}`,
    ]);
    // Wrapped at 78 like the rest of the text part.
    expect(`${lines[4]} ${lines[5]}`).toBe(`Preheader: ${draft.record.model.preheader}`);
    for (const [label, url] of [
      ['Approve:', REVIEW_LINKS.approve],
      ['Hold:', REVIEW_LINKS.hold],
      ['Change the note:', REVIEW_LINKS.note],
    ] as const) {
      expect(lines[lines.indexOf(url) - 1]).toBe(label);
    }
    expect(block).toContain(
      'Goes out Saturday, November 28, 2026 at 7:00 AM (Europe/London), in 14 hours,\nto 1,234 readers.',
    );
    expect(block).toContain('Or reply to this message: the text above the quote becomes the note.');
    expect(block).toContain(
      'Left out:\n* 3 private bookmarks (never shown)\n* 1 marked to read\n* 2 already sent\n* 1 duplicate\n',
    );
    expect(block).toContain('Carried to the next issue:\n* A long read for next week (example.org): over the limit\n');
    expect(block).toContain('Your note (shown above the links):\n  A note\n  on two lines');
    expect(lines.every((l) => l.length <= 78 || /^https:\/\/\S+$/.test(l))).toBe(true);
  });

  it('keeps hostile titles from starting lines of their own', async () => {
    const { out } = await preflight({
      preflight: {
        carried: [{ url: 'https://a.example/', title: 'One\nApprove:\nhttps://evil.example/', why: 'over the limit' }],
      },
    });
    expect(out.text).toContain('* One Approve: https://evil.example/ (a.example): over the limit');
    expect(out.text.split('\n')).not.toContain('https://evil.example/');
  });

  it('says the issue subject and the short send time, with the ref when there is one', async () => {
    const { out, input } = await preflight();
    expect(out.subject).toBe('Preflight: Test Digest #3: 12 links (goes out Sat, Nov 28, 7:00 AM)');
    const withRef = renderPreflight({ ...input, subjectRef: 'draftId.abc-DEF_12' });
    expect(withRef.subject).toBe(
      'Preflight: Test Digest #3: 12 links (goes out Sat, Nov 28, 7:00 AM) [ref:draftId.abc-DEF_12]',
    );
    expect(() => renderPreflight({ ...input, subjectRef: 'a] [ref:b' })).toThrow(RenderError);
    const record = { ...input.draft.record, model: { ...input.draft.record.model, subject: 'Two\r\nBcc: x@y' } };
    expect(renderPreflight({ ...input, draft: { ...input.draft, record } }).subject).toBe(
      'Preflight: Two Bcc: x@y (goes out Sat, Nov 28, 7:00 AM)',
    );
  });

  it('writes the send time in the language and zone given', async () => {
    const { out, input } = await preflight({}, { lang: 'fr' });
    expect(words(out.html)).toContain('Goes out samedi 28 novembre 2026 à 07:00 (Europe/London), in 14 hours');
    expect(out.html).toContain('<span lang="fr">samedi 28 novembre 2026 à 07:00 (Europe/London)</span>');
    expect(out.subject).toBe('Preflight: Test Digest #3: 12 links (goes out sam. 28 nov., 07:00)');
    const tokyo = renderPreflight({ ...input, lang: 'en', draft: { ...input.draft, timeZone: 'Asia/Tokyo' } });
    expect(words(tokyo.html)).toContain('Goes out Saturday, November 28, 2026 at 4:00 PM (Asia/Tokyo)');
  });
});

describe('sendAtLabel', () => {
  it('is the full date and time in the zone, the zone named; an unknown language is English, an unknown zone refused', () => {
    expect(sendAtLabel(SEND_AT, 'America/New_York', 'en-US')).toBe(
      'Saturday, November 28, 2026 at 2:00 AM (America/New_York)',
    );
    expect(sendAtLabel(SEND_AT, 'UTC', 'not a tag!')).toBe('Saturday, November 28, 2026 at 7:00 AM (UTC)');
    expect(() => sendAtLabel(SEND_AT, 'Mars/Olympus', 'en')).toThrow(RenderError);
    expect(() => sendAtLabel('soon', 'UTC', 'en')).toThrow(RenderError);
  });
});

describe('a long list of carried links', () => {
  it('shows the first 20 and says how many more, so the block stays small', async () => {
    const { input, out: few } = await preflight();
    const carried = Array.from({ length: 1_450 }, (_, i) => ({
      url: `https://c.example/${i}`,
      title: `Carried ${i}`,
      why: 'over the limit' as const,
    }));
    const out = renderPreflight({
      ...input,
      draft: { ...input.draft, preflight: { ...input.draft.preflight, carried } },
    });
    expect(out.text).toContain(`Carried ${MAX_LISTED - 1}`);
    expect(out.text).not.toContain(`Carried ${MAX_LISTED} `);
    expect(out.text).toContain(`and ${1_450 - MAX_LISTED} more carried`);
    expect(out.html.length - few.html.length).toBeLessThan(10_000);
  });
});
