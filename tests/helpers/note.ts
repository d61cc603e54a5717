/** The note of the day in tests: an issue with one, a hostile one, and the templates as they were before it. */
import type { IssueModel } from '../../lambda/core/model';

/** A one-link issue with `editorNote` as its note of the day. */
export const issueWithNote = (editorNote: string): IssueModel => ({
  issue: 7,
  subject: 'Test Digest #7',
  preheader: '',
  window: { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T08:00:00.000Z' },
  sections: [
    {
      title: 'Reads',
      bookmarks: [
        { url: 'https://example.org/a', title: 'A link', note: 'Why.', tags: ['web'], savedAt: '2026-11-20T00:00:00Z' },
      ],
    },
  ],
  bookmarkCount: 1,
  carriedOver: 0,
  editorNote,
});

/** A note that tries everything: HTML, a script, event handlers, a javascript: link, an unclosed marker. */
export const HOSTILE_NOTE = [
  'Welcome, *reader*. <script>alert(1)</script>',
  '<img src=x onerror=alert(1)> "><svg onload=alert(1)> [x](javascript:alert(1)) **unclosed',
  '',
  'Read [the post](https://example.org/post?a=1&b="2") first.',
].join('\n');

/** Any tag a note must not make, or an event handler inside a tag, or a javascript: href. */
export const HOSTILE_MARKUP = /<(script|img|svg)\b|<[^>]*\son\w+=|href="javascript:/i;

/**
 * A template with its `{{#if editorNote}}…{{/if}}` blocks cut out, a block alone on its lines with its line
 * end: the template as it was before the note.
 */
export const withoutNoteBlocks = (source: string) =>
  source
    .replace(/^[ \t]*\{\{#if editorNote\}\}[\s\S]*?\{\{\/if\}\}\n/gm, '')
    .replace(/\{\{#if editorNote\}\}[\s\S]*?\{\{\/if\}\}/g, '');
