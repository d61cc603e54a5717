/** The Pinboard token works: one `posts/update` call (Pinboard's cheapest) through the run's own API source. */
import { ENV } from '../../env';
import { type Check, type CheckResult, fail, pass, skip, warn } from '../check';
import type { PinboardProbe } from '../ports';

const ID = 'pinboard-token';
const TITLE = 'Pinboard token';
const GET_TOKEN = `set ${ENV.pinboardToken} to the API token from Pinboard → Settings → Password (user:HEX)`;

/** What the call's outcome says. `error` is the adapter's message, which names the method, never the token. */
export function judgePinboardToken(
  probe: Pick<PinboardProbe, 'user' | 'tokenUser'>,
  outcome: { updateTime: string } | { error: string },
): CheckResult {
  if ('error' in outcome) {
    const refused = /refused the token|\b40[13]\b/.test(outcome.error);
    const limited = /\b429\b/.test(outcome.error);
    return fail(
      ID,
      TITLE,
      outcome.error,
      refused
        ? GET_TOKEN
        : limited
          ? 'Pinboard allows one call every 3 seconds: wait a minute (another run may be reading), then run doctor again'
          : `check the network, or ${ENV.pinboardApiUrl} if you set it, then run doctor again`,
    );
  }
  const changed = new Date(outcome.updateTime).toISOString().replace('T', ' ').slice(0, 16);
  if (probe.tokenUser.toLowerCase() !== probe.user.toLowerCase()) {
    return warn(
      ID,
      TITLE,
      `the token works, but it is ${probe.tokenUser}'s and the source names "${probe.user}"`,
      `use ${probe.user}'s token, or set source.user to "${probe.tokenUser}"`,
    );
  }
  return pass(ID, TITLE, `works for ${probe.user} (posts/update: bookmarks last changed ${changed} UTC)`);
}

/**
 * One check per pinboard-api source, or one line saying none applies. `probes` throws what stops the sources
 * being built at all (no token, a malformed one): that is the check's failure.
 */
export function pinboardTokenChecks(usesApi: boolean, probes: () => PinboardProbe[]): Check[] {
  if (!usesApi) {
    return [
      {
        id: ID,
        title: TITLE,
        fix: GET_TOKEN,
        run: async () => skip(ID, TITLE, 'no "pinboard-api" source: no token needed'),
      },
    ];
  }
  let built: PinboardProbe[];
  try {
    built = probes();
  } catch (error) {
    const message = (error as Error).message;
    return [{ id: ID, title: TITLE, fix: GET_TOKEN, run: async () => fail(ID, TITLE, message, GET_TOKEN) }];
  }
  return built.map((probe) => ({
    id: ID,
    title: built.length > 1 ? `${TITLE} (${probe.user})` : TITLE,
    fix: `Pinboard did not answer in time: check the network, or ${ENV.pinboardApiUrl} if you set it`,
    run: async () => {
      const outcome = await probe.lastUpdate().then(
        (updateTime) => ({ updateTime }),
        (error: Error) => ({ error: error.message }),
      );
      const result = judgePinboardToken(probe, outcome);
      return built.length > 1 ? { ...result, title: `${TITLE} (${probe.user})` } : result;
    },
  }));
}
