/** Raw Pinboard posts (API and export shape) dated relative to now, for sources under test. */
import type { RawPost } from '../integration/servers/pinboard-server';

/** Pinboard's time form, `h` hours ago. */
export const hoursAgo = (h: number) => `${new Date(Date.now() - h * 3_600_000).toISOString().slice(0, 19)}Z`;

/** Post number `n`, saved `h` hours ago: `https://example.com/n`, public, read, tagged web. */
export function rawPost(h: number, n: number, extra: Partial<RawPost> = {}): RawPost {
  return {
    href: `https://example.com/${n}`,
    description: `Post ${n}`,
    extended: `Note ${n}`,
    time: hoursAgo(h),
    shared: 'yes',
    toread: 'no',
    tags: 'web',
    ...extra,
  };
}
