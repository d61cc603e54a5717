/** The link check step of composing: which candidates are checked, in rounds, within one deadline. */
import type { ComposeInput } from '../core/compose';
import {
  classifyProbes,
  type LinkCheckPolicy,
  type LinkOutcome,
  type LinkProbe,
  linksToCheck,
} from '../core/link-check';
import { selectBookmarks } from '../core/select';
import type { LinkChecker } from '../ports/link-checker';

export interface LinkCheckDeps {
  checker: LinkChecker;
  policy: LinkCheckPolicy;
  /** The whole check, every round: links not checked by then are sent unchecked. */
  deadlineMs: number;
}

/** Rounds of checking: a dead link left out makes room for the next candidate, which is checked in the next round. */
const MAX_CHECK_ROUNDS = 4;

/**
 * Checks the candidates the issue would be made of, oldest first: the first `maxBookmarks` that selection
 * keeps, then, round by round, the next ones in place of those a dead link leaves out. Outcomes are
 * classified over every probe so far, so one round where nothing answers does not hide a working network.
 */
export async function checkLinks(
  deps: LinkCheckDeps,
  input: ComposeInput,
): Promise<{ outcomes: Map<string, LinkOutcome>; warnings: string[] }> {
  const selection = selectBookmarks({
    bookmarks: input.bookmarks,
    from: input.from,
    to: input.now,
    sentLinks: input.sentLinks,
    options: input.options,
  });
  const candidates = [...selection.selected, ...selection.carried];
  let outcomes = new Map<string, LinkOutcome>();
  let warning: string | undefined;
  if (candidates.length < Math.max(1, input.options.minBookmarks)) return { outcomes, warnings: [] };
  const probes: LinkProbe[] = [];
  const signal = AbortSignal.timeout(deps.deadlineMs);
  for (let round = 0; round < MAX_CHECK_ROUNDS; round++) {
    const todo = linksToCheck(candidates, outcomes, deps.policy, input.options.maxBookmarks, input.now);
    if (todo.length === 0) break;
    const urls = todo.map((b) => b.url);
    try {
      probes.push(...(await deps.checker.check(urls, { signal })));
    } catch (error) {
      // The checker itself broke (not a link's failure, which is a probe): the issue goes out unchecked.
      const why = `link check: the checker failed (${(error as Error).message}); ${urls.length} links sent unchecked`;
      return { outcomes, warnings: [...(warning ? [warning] : []), why] };
    }
    ({ outcomes, warning } = classifyProbes(probes));
  }
  return { outcomes, warnings: warning ? [warning] : [] };
}
