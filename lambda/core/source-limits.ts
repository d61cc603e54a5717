/** How much a source may read, and for how long: the config schema's defaults and the HTTP sources' own. */

/**
 * Largest body any source reads (`sourceLimits.maxBodyBytes`): far above real feeds and `posts/all` answers,
 * far below the memory of a 512 MB Lambda (a 300 MB body once read whole peaked at 1 GB: issue 10).
 */
export const DEFAULT_MAX_BODY_BYTES = 20_000_000;
/** A whole request, headers and body: a server that drips its answer is cut off here. */
export const DEFAULT_TIMEOUT_MS = 30_000;
