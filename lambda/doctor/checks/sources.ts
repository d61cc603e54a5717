/**
 * Each bookmark source `send` reads, read once as `send` reads it: a feed answers and parses, a bookmark
 * file exists and parses, a Pinboard user's public feed exists and holds bookmarks. (A pinboard-api source is
 * read by the Pinboard token check, with the one call it needs.) A failure names the source and what to fix.
 */
import { type Check, type CheckResult, fail, pass, warn } from '../check';
import type { SourceProbe } from '../ports';

const ID = 'source';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

const FIXES: Record<SourceProbe['kind'], (probe: SourceProbe) => string> = {
  feed: () => 'check source.url: opened in a browser it must answer 200 with an RSS, Atom or JSON feed',
  'pinboard-rss': (p) =>
    `check source.user ("${p.user}"): https://pinboard.in/u:${p.user}/ must show public bookmarks (for private ones, use a "pinboard-api" source with a token)`,
  file: () =>
    'check source.path (relative to the config file): it must be a Pinboard JSON export (Settings → Backup → JSON)',
};

/** What one read of a source says. */
export function judgeSource(
  probe: Pick<SourceProbe, 'kind' | 'label' | 'user'>,
  outcome: { bookmarks: number; warnings: string[] } | { error: string },
): CheckResult {
  const title = `Source (${probe.label})`;
  const fix = FIXES[probe.kind](probe as SourceProbe);
  if ('error' in outcome) return fail(ID, title, outcome.error, fix);
  const noted = outcome.warnings.length > 0 ? `; ${outcome.warnings.join('; ')}` : '';
  if (outcome.bookmarks === 0) {
    // Pinboard answers an empty feed for a user that does not exist, as for one with nothing public.
    if (probe.kind === 'pinboard-rss') {
      return fail(ID, title, `no public bookmarks: the user "${probe.user}" does not exist, or shares none`, fix);
    }
    return warn(
      ID,
      title,
      `${probe.kind === 'file' ? 'parses' : 'answers and parses'}, but holds no bookmarks${noted}`,
      fix,
    );
  }
  const what = probe.kind === 'file' ? 'parses' : 'answers and parses';
  return pass(ID, title, `${what}: ${plural(outcome.bookmarks, 'bookmark')}${noted}`);
}

/** One check per feed, Pinboard feed or bookmark file source; none when the config has only the API. */
export function sourceChecks(probes: () => SourceProbe[]): Check[] {
  let built: SourceProbe[];
  try {
    built = probes();
  } catch (error) {
    // The sources could not be built at all (a pinboard-api source without its token): the token check says so.
    const message = (error as Error).message;
    return [{ id: ID, title: 'Sources', fix: '', run: async () => fail(ID, 'Sources', message) }];
  }
  return built.map((probe) => ({
    id: ID,
    title: `Source (${probe.label})`,
    fix: FIXES[probe.kind](probe),
    run: async (signal) =>
      judgeSource(probe, await probe.read(signal).catch((error: Error) => ({ error: error.message }))),
  }));
}
