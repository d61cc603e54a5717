/**
 * A fetched feed body → bookmarks and warnings, with no I/O: decoded in its charset, parsed as JSON Feed
 * or as XML (strictly, then leniently), every item read whatever its shapes, links resolved and checked.
 * Undated items come back without `savedAt` (the source dates them when first seen). A body that is no
 * feed at all is one SourceError line; nothing else is ever thrown.
 */
import { DigestError, SourceError } from '../../core/errors';
import { excerpt } from '../http';
import { decodeFeedBody } from './charset';
import type { FeedDocument } from './entries';
import { describeSkipped, type FeedBookmark, feedItems } from './items';
import { readJsonFeed } from './parse-json';
import { readXmlFeed } from './parse-xml';
import { parseXmlTree } from './xml-tree';

export interface FeedRead {
  /** `RSS 2.0`, `Atom`, `JSON Feed 1.1` … */
  format: string;
  bookmarks: FeedBookmark[];
  warnings: string[];
  /** Items in the feed, read or not. */
  total: number;
}

interface Parsed {
  feed: FeedDocument;
  /** The strict XML parser's message, when the lenient parse was used. */
  notWellFormed?: string;
  /** The strict XML parser's message on a document cut off before its end. */
  truncated?: string;
  /** The root element as written (`rss`, `a:feed`), for messages. */
  root?: string;
}

const notAFeed = (label: string, text: string, why: string, cause?: unknown) =>
  new SourceError(`${label}: not a readable RSS, Atom or JSON feed (${why}): ${excerpt(text) || 'empty body'}`, {
    cause,
  });

/** JSON when the body starts like JSON, XML when it starts with `<`, else as the content type says. */
function parseFeed(text: string, contentType: string, label: string): Parsed {
  const start = /\S/.exec(text.slice(0, 4096))?.[0];
  if (start === '{' || start === '[' || (start !== '<' && /json/i.test(contentType))) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw notAFeed(label, text, `malformed JSON: ${(cause as Error).message}`, cause);
    }
    const read = readJsonFeed(value);
    if ('notAFeed' in read) throw notAFeed(label, text, read.notAFeed);
    return { feed: read.feed };
  }
  const tree = parseXmlTree(text);
  if (!('root' in tree)) throw notAFeed(label, text, tree.error);
  const read = readXmlFeed(tree.root);
  // An HTML page is no feed, well-formed or not: what it is says more than where it broke.
  if ('notAFeed' in read) throw notAFeed(label, text, read.notAFeed);
  return {
    feed: read.feed,
    root: tree.root.name,
    ...(tree.notWellFormed ? { notWellFormed: tree.notWellFormed } : {}),
    ...(tree.truncated ? { truncated: tree.truncated } : {}),
  };
}

function read(answer: { body: Buffer; contentType: string }, url: string, label: string): FeedRead {
  const warnings: string[] = [];
  const decoded = decodeFeedBody(answer.body, answer.contentType);
  if (decoded.warning) warnings.push(`${label}: ${decoded.warning}`);
  const { feed, notWellFormed, truncated, root } = parseFeed(decoded.text, answer.contentType, label);
  const total = feed.entries.length + Object.values(feed.unreadable).reduce((a, b) => a + b, 0);
  if (feed.truncated && total === 0) {
    throw notAFeed(
      label,
      decoded.text,
      `cut off before any item was complete: ${truncated ?? 'the document ends early'}`,
    );
  }

  const items = feedItems(feed, url);
  if (notWellFormed) {
    // Leniency is for a feed with a flaw, not for a page that merely parses as some XML.
    if (items.bookmarks.length === 0) throw notAFeed(label, decoded.text, notWellFormed);
    warnings.push(
      `${label}: not well-formed XML (${notWellFormed}); read leniently, keeping only items with an http(s) link`,
    );
  }
  if (feed.truncated) {
    const cut = feed.truncated.cutItems > 0 ? `; left out ${feed.truncated.cutItems} cut in half` : '';
    warnings.push(
      `${label}: truncated: the document ends before </${root}>: read the ${total} item(s) complete before the cut${cut}`,
    );
  }
  const skipped = describeSkipped(items.skipped, total);
  if (skipped) warnings.push(`${label}: ${skipped}`);
  if (items.unreadableDates > 0) {
    warnings.push(`${label}: ${items.unreadableDates} item(s) with a date that cannot be read: dated when first seen`);
  }
  return { format: feed.format, bookmarks: items.bookmarks, warnings, total };
}

/** `url` is where the body came from: the last base for relative links. `label` names the feed in messages. */
export function readFeedBody(answer: { body: Buffer; contentType: string }, url: string, label: string): FeedRead {
  try {
    return read(answer, url, label);
  } catch (error) {
    if (error instanceof DigestError) throw error;
    // A flaw of ours, not of the feed: still one line naming the feed, never a stack trace.
    throw new SourceError(`${label}: could not read the feed (${(error as Error | undefined)?.message ?? error})`, {
      cause: error,
    });
  }
}
