/**
 * Feed entries → bookmarks, the last step at the edge. Links are resolved (RFC 3986 §5.2) against the
 * `xml:base` values in scope, then the feed's alternate link, then the URL the feed was fetched from
 * (RFC 4287 §2); only http(s) links to public hosts are kept, each once. Dates are read as UTC when they
 * name no zone. What is left out is counted by reason, for one warning line.
 */
import type { Bookmark } from '../../core/model';
import { normalizeUrl } from '../../core/url';
import type { FeedDocument } from './entries';
import { titleFrom } from './text';

/** A bookmark from a feed; `savedAt` is missing when the item has no readable date (it is dated when first seen). */
export type FeedBookmark = Omit<Bookmark, 'savedAt'> & { savedAt?: string };

export interface FeedItems {
  bookmarks: FeedBookmark[];
  /** Items left out, by reason (`without a link` → 2). */
  skipped: Record<string, number>;
  /** Items kept whose date was missing or unreadable. */
  undated: number;
  /** Of those, the ones with a date that could not be read. */
  unreadableDates: number;
}

const resolve = (ref: string, base: string | undefined): URL | undefined => {
  try {
    return new URL(ref, base);
  } catch {
    return undefined;
  }
};

/** The base in force after a chain of `xml:base` values, each resolved against the one before. */
function baseAfter(bases: string[], start: string | undefined): string | undefined {
  let base = start;
  for (const b of bases) base = resolve(b, base)?.href ?? base;
  return base;
}

const isWeb = (url: URL): boolean => (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';

function privateIPv4(host: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    a >= 224
  );
}

/**
 * Hosts no reader can reach: loopback, private, link-local and carrier-grade NAT addresses (v4 and v6),
 * `localhost`, single-label names and the local-only suffixes. URL has already normalized `0x7f.1` and the like.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
    if (mapped) {
      const hi = Number.parseInt(mapped[1] as string, 16);
      const lo = Number.parseInt(mapped[2] as string, 16);
      return privateIPv4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    return v6 === '::1' || v6 === '::' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6);
  }
  if (privateIPv4(host)) return true;
  if (!host.includes('.')) return true;
  return /\.(localhost|local|internal|lan|home\.arpa)$/.test(host);
}

/** An item's date as ISO, or undefined. A date without a zone is UTC (V8 would read it in the machine's zone). */
export function feedTime(raw: string | undefined): string | undefined {
  let text = raw?.trim();
  if (!text) return undefined;
  if (/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text = `${text.replace(' ', 'T')}Z`;
  else if (/^([a-z]{3},?\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d\d:\d\d(:\d\d)?$/i.test(text)) text = `${text} GMT`;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const count = (skipped: Record<string, number>, reason: string) => {
  skipped[reason] = (skipped[reason] ?? 0) + 1;
};

export function feedItems(feed: FeedDocument, fetchedUrl: string): FeedItems {
  const skipped: Record<string, number> = { ...feed.unreadable };
  const fetched = resolve(fetchedUrl, undefined)?.href;
  const home = feed.home ? resolve(feed.home.link, baseAfter(feed.home.bases, fetched)) : undefined;
  const documentBase = home && isWeb(home) ? home.href : fetched;

  const seen = new Set<string>();
  const bookmarks: FeedBookmark[] = [];
  let undated = 0;
  let unreadableDates = 0;
  for (const entry of feed.entries) {
    if (!entry.link?.trim()) {
      count(skipped, 'without a link');
      continue;
    }
    const url = resolve(entry.link.trim(), baseAfter(entry.bases, documentBase));
    if (!url) count(skipped, 'with an unreadable link');
    else if (!isWeb(url)) count(skipped, `with a ${url.protocol} link`);
    else if (isPrivateHost(url.hostname)) count(skipped, 'linking to a private address');
    else if (seen.has(normalizeUrl(url.href))) count(skipped, 'repeated');
    else {
      seen.add(normalizeUrl(url.href));
      const savedAt = feedTime(entry.date);
      if (!savedAt) undated++;
      if (!savedAt && entry.date) unreadableDates++;
      bookmarks.push({
        url: url.href,
        title: entry.title || titleFrom(entry.note),
        note: entry.note,
        tags: entry.tags,
        ...(savedAt ? { savedAt } : {}),
        // A feed is public: it carries public bookmarks only, and cannot say whether one is unread.
        shared: true,
        toread: false,
      });
    }
  }
  return { bookmarks, skipped, undated, unreadableDates };
}

/** `3 of 12 items skipped: 2 without a link, 1 with a javascript: link`, or undefined when none was. */
export function describeSkipped(skipped: Record<string, number>, total: number): string | undefined {
  const reasons = Object.entries(skipped).filter(([, n]) => n > 0);
  const n = reasons.reduce((sum, [, k]) => sum + k, 0);
  if (n === 0) return undefined;
  return `${n} of ${total} items skipped: ${reasons.map(([why, k]) => `${k} ${why}`).join(', ')}`;
}
