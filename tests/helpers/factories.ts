/** Test data builders and the real renderer over the shipped templates, compiled once per test file. */

import { loadTemplates } from '../../lambda/adapters/template-files';
import type { ComposeOptions } from '../../lambda/core/compose';
import type { Bookmark, IssueRecord, Subscriber } from '../../lambda/core/model';
import type { MessageContext } from '../../lambda/render/message';
import { createRenderer, type RenderContext } from '../../lambda/render/renderer';
import type { CompiledTemplates } from '../../lambda/render/templates';

let counter = 0;

export function bookmark(overrides: Partial<Bookmark> = {}): Bookmark {
  counter++;
  return {
    url: `https://example.com/post/${counter}`,
    title: `Post ${counter}`,
    note: `Note ${counter}`,
    tags: ['misc'],
    savedAt: new Date(Date.UTC(2026, 10, 20, 12, 0, counter % 60)).toISOString(),
    shared: true,
    toread: false,
    ...overrides,
  };
}

export function subscriber(overrides: Partial<Subscriber> = {}): Subscriber {
  counter++;
  return {
    id: `sub${String(counter).padStart(13, '0')}`,
    email: `reader${counter}@example.com`,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export const composeOptions = (overrides: Partial<ComposeOptions> = {}): ComposeOptions => ({
  includeTags: [],
  excludeTags: ['nodigest'],
  includeToRead: false,
  minBookmarks: 1,
  maxBookmarks: 50,
  maxHtmlBytes: 95_000,
  otherSectionTitle: 'Everything else',
  ...overrides,
});

export const renderContext = (overrides: Partial<RenderContext> = {}): RenderContext => ({
  title: 'Test Digest',
  intro: 'I find this stuff so that you don’t have to.',
  siteUrl: 'https://digest.example.com',
  lang: 'en',
  timeZone: 'UTC',
  profileUrl: 'https://pinboard.in/u:tester/',
  tagUrl: (tag) => `https://pinboard.in/u:tester/t:${encodeURIComponent(tag)}/`,
  ...overrides,
});

let compiled: Promise<CompiledTemplates> | undefined;
/** The shipped templates, MJML compiled once per test file. */
export const shippedTemplates = () => {
  compiled ??= loadTemplates();
  return compiled;
};

export async function shippedRenderer(overrides: Partial<RenderContext> = {}) {
  return createRenderer(await shippedTemplates(), renderContext(overrides));
}

export const SECRET = 'test-signing-secret-that-is-long-enough-0123456789';

/** A sender whose names need encoding in headers (UTF-8, a typographic apostrophe). */
export const messageContext = (overrides: Partial<MessageContext> = {}): MessageContext => ({
  from: 'Zoë’s Links <digest@links.example.com>',
  replyTo: 'me@links.example.com',
  listId: { name: 'Zoë’s Links', id: 'zoes-links.links.example.com' },
  siteUrl: 'https://links.example.com/',
  secret: SECRET,
  ...overrides,
});
export const PLACEHOLDER = 'pdunsubtestplaceholder0000';

/** A stored issue whose body is only the unsubscribe placeholder: for delivery tests, where the body is not the point. */
export function placeholderIssue(overrides: Partial<IssueRecord> = {}): IssueRecord {
  const at = '2026-11-23T00:00:00.000Z';
  return {
    issue: 1,
    status: 'composed',
    model: {
      issue: 1,
      subject: 'S',
      preheader: '',
      window: { from: at, to: at },
      sections: [],
      bookmarkCount: 1,
      carriedOver: 0,
    },
    rendered: { subject: 'S', preheader: '', html: `<a href="${PLACEHOLDER}">u</a>`, text: PLACEHOLDER },
    placeholder: PLACEHOLDER,
    watermark: at,
    links: ['http://a.example'],
    composedAt: at,
    ...overrides,
  };
}
