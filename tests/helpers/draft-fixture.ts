/**
 * A realistic draft under review: issue #3 composed by the real compose step and rendered through the shipped
 * templates (three sections, a dozen links), with the preflight facts a draft tick would record, and the
 * issue as a reader gets it (personalized with a sample unsubscribe link).
 */
import { composeIssue } from '../../lambda/core/compose';
import type { Bookmark, IssueModel } from '../../lambda/core/model';
import type { Draft, PreflightFacts } from '../../lambda/core/review';
import { bookmark, composeOptions, PLACEHOLDER, shippedRenderer } from './factories';

export const SAMPLE_UNSUBSCRIBE = 'https://digest.example.com/unsubscribe?token=sample.0.AbCdEf.sampleSignature000000';

/** The review links as the caller makes them: absolute, each with its own token. */
export const REVIEW_LINKS = {
  approve: 'https://api.example.com/review/approve?t=draftId0123456789abcdef.lz3k2a.Ab12Cd.approveMacXXXXXXXXXXXX',
  hold: 'https://api.example.com/review/hold?t=draftId0123456789abcdef.lz3k2a.Ab12Cd.holdMacXXXXXXXXXXXXXXXX',
  note: 'https://api.example.com/review/note?t=draftId0123456789abcdef.lz3k2a.Ab12Cd.noteMacXXXXXXXXXXXXXXXX',
};

/** 2026-11-28 07:00 in London (UTC in winter): a Saturday. */
export const SEND_AT = '2026-11-28T07:00:00.000Z';
/** The draft tick: 14 hours before the send. */
export const DRAFTED_AT = new Date('2026-11-27T17:00:00.000Z');

const TOPICS: [tag: string, titles: string[]][] = [
  ['css', ['Container queries in practice', 'A field guide to :has()', 'Cascade layers, one year on', 'Subgrid']],
  [
    'email',
    ['Dark mode in email clients, tested', 'Why Gmail clips at 102 KB', 'Bulletproof buttons, revisited', 'MJML 5'],
  ],
  ['rust', ['Async closures are stable', 'Reading the borrow checker', 'A tour of cargo-nextest', 'Pin, explained']],
];

/** Nothing left out: every count of `PreflightFacts.counts` zero. */
export const NOTHING_LEFT_OUT: PreflightFacts['counts'] = {
  private: 0,
  toread: 0,
  alreadySent: 0,
  excludedTag: 0,
  notIncludedTag: 0,
  outsideWindow: 0,
  duplicate: 0,
  unsupportedScheme: 0,
};

/** Text from markup the render layer escaped (subscription-pages.ts `escapeHtml`), for asserting what it says. */
export const decodeEntities = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&#61;/g, '=')
    .replace(/&amp;/g, '&');

export interface DraftOptions {
  /** Titles put first, in the first section (hostile ones, say). */
  titles?: string[];
  note?: string;
  state?: Draft['state'];
  mode?: Draft['mode'];
  preflight?: Partial<PreflightFacts>;
}

export interface DraftFixture {
  draft: Draft;
  /** The issue as a reader gets it. */
  issue: { html: string; text: string };
}

export async function draftFixture(options: DraftOptions = {}): Promise<DraftFixture> {
  const render = await shippedRenderer({ timeZone: 'Europe/London' });
  let minute = 0;
  const at = () => new Date(Date.parse('2026-11-21T09:00:00.000Z') + minute++ * 60_000).toISOString();
  const bookmarks: Bookmark[] = [
    ...(options.titles ?? []).map((title) => bookmark({ title, tags: ['css'], savedAt: at() })),
    ...TOPICS.flatMap(([tag, titles]) =>
      titles.map((title) => bookmark({ title, tags: [tag], note: `Why “${title}” is worth a read.`, savedAt: at() })),
    ),
  ];
  const withNote = (model: IssueModel) => (options.note ? { ...model, editorNote: options.note } : model);
  const composed = composeIssue({
    bookmarks,
    issueNumber: 3,
    from: '2026-11-21T00:00:00.000Z',
    now: DRAFTED_AT.toISOString(),
    sentLinks: new Set(),
    options: composeOptions(),
    render: (model, unsubscribeUrl) => render(withNote(model), unsubscribeUrl),
    placeholder: PLACEHOLDER,
    sampleUnsubscribeUrl: SAMPLE_UNSUBSCRIBE,
  });
  if (composed.kind !== 'issue') throw new Error(`the fixture composed nothing: ${composed.reason}`);
  const record = { ...composed.record, model: withNote(composed.record.model) };
  const facts: PreflightFacts = {
    counts: { ...NOTHING_LEFT_OUT, private: 3, toread: 1, alreadySent: 2, duplicate: 1 },
    carried: [{ url: 'https://www.example.org/long-read', title: 'A long read for next week', why: 'over the limit' }],
    dead: [
      {
        url: 'https://gone.example.net/post',
        title: 'A post that moved away',
        status: 404,
        reason: '404 Not Found',
        action: 'dropped',
      },
    ],
    htmlBytes: composed.report.htmlBytes,
    maxHtmlBytes: 95_000,
    readers: 1234,
    warnings: [],
    ...options.preflight,
  };
  const draft: Draft = {
    id: 'draftId0123456789abcdef',
    issue: 3,
    sendAt: SEND_AT,
    timeZone: 'Europe/London',
    mode: options.mode ?? 'auto',
    state: options.state ?? 'draft',
    record,
    preflight: facts,
    fingerprint: 'fp',
    events: [{ action: 'drafted', at: DRAFTED_AT.toISOString(), by: 'schedule' }],
  };
  const personal = (s: string, url: string) => s.split(PLACEHOLDER).join(url);
  return {
    draft,
    issue: {
      html: personal(record.rendered.html, SAMPLE_UNSUBSCRIBE.replace(/&/g, '&amp;')),
      text: personal(record.rendered.text, SAMPLE_UNSUBSCRIBE),
    },
  };
}
