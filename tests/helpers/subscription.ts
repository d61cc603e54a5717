/** A subscription handler over a real file store in a temp dir, a recording mailer and a clock the test moves. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { FileStore } from '../../lambda/adapters/file-store';
import { createSubscriptionHandler, type SubscriptionSite } from '../../lambda/http/handler';
import type { HttpRequest } from '../../lambda/http/types';
import type { SubscriptionDeps } from '../../lambda/jobs/subscription';
import { createConfirmationBuilder } from '../../lambda/render/confirm-message';
import type { CompiledTemplates } from '../../lambda/render/templates';
import { type FailureCue, FakeMailer } from './fake-mailer';

export const SIGNING = 's'.repeat(40);
export const START = Date.parse('2026-11-23T09:00:00.000Z');

/** Small templates with the confirm URL in both parts (the shipped MJML is tested where it is rendered). */
export const PLAIN_CONFIRM_TEMPLATES: CompiledTemplates = {
  html: '<p>{{title}} for {{email}}: <a href="{{confirmUrl}}">confirm</a>{{#if alreadyActive}} (already){{/if}}</p>',
  text: '{{title}}\nConfirm: {{confirmUrl}}\n',
  subject: 'Confirm your subscription to {{title}}',
  preheader: '',
};

export interface Harness {
  handle: ReturnType<typeof createSubscriptionHandler>;
  store: FileStore;
  mailer: FakeMailer;
  clock: { now: number };
  deps: SubscriptionDeps;
  logs: string[];
}

export function harness(
  options: {
    secret?: string;
    limits?: Partial<SubscriptionDeps['limits']>;
    siteUrl?: string;
    site?: Partial<SubscriptionSite>;
    store?: FileStore;
    failFor?: (to: string, attempt: number) => FailureCue;
  } = {},
): Harness {
  const store = options.store ?? new FileStore(mkdtempSync(path.join(tmpdir(), 'pd-sub-')));
  const mailer = new FakeMailer(options.failFor);
  const clock = { now: START };
  const logs: string[] = [];
  const siteUrl = options.siteUrl ?? 'https://links.example.com';
  const deps: SubscriptionDeps = {
    store,
    mailer,
    secret: options.secret ?? SIGNING,
    siteUrl,
    buildConfirmation: createConfirmationBuilder(PLAIN_CONFIRM_TEMPLATES, {
      title: 'Links I Found',
      lang: 'en',
      siteUrl,
      message: { from: 'Links I Found <digest@links.example.com>' },
    }),
    limits: { perIpPerHour: 1000, perAddressPerDay: 1000, ...options.limits },
    now: () => clock.now,
    log: (line, fields) => logs.push(`${line} ${JSON.stringify(fields ?? {})}`),
  };
  const handle = createSubscriptionHandler(deps, { title: 'Links I Found', lang: 'en', ...options.site });
  return { handle, store, mailer, clock, deps, logs };
}

export function request(
  method: string,
  target: string,
  options: { body?: string | Buffer; headers?: Record<string, string>; ip?: string } = {},
): HttpRequest {
  const q = target.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers,
    body: Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body ?? ''),
    sourceIp: options.ip ?? '203.0.113.7',
  };
}

export const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
export const JSON_TYPE = { 'Content-Type': 'application/json' };

export const subscribeForm = (email: string, ip?: string, extra = '') =>
  request('POST', '/subscribe', { body: `email=${encodeURIComponent(email)}${extra}`, headers: FORM, ip });

/** The confirm link in a confirmation message (read from its text part), as a path with query. */
export async function confirmTarget(raw: Buffer): Promise<string> {
  const mail = await simpleParser(raw);
  const match = /https?:\/\/\S+\/confirm\?token=\S+/.exec(mail.text ?? '');
  if (!match) throw new Error('no confirm link in the message');
  const url = new URL(match[0]);
  return `${url.pathname}${url.search}`;
}

/** The token of a `…?token=X` target. */
export const tokenOf = (target: string) => new URLSearchParams(target.split('?')[1] ?? '').get('token') ?? '';
