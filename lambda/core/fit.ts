/** The most of something that fits a budget, when the size only grows with the count. */

/**
 * `attempt(n)` for the largest `n` in 1…`count` whose result `fits`: `count` itself when it fits (one
 * attempt), else a binary search (O(log n) attempts). Undefined when not even 1 fits.
 */
export function largestFitting<T>(
  count: number,
  attempt: (n: number) => T,
  fits: (tried: T) => boolean,
): T | undefined {
  if (count < 1) return undefined;
  const all = attempt(count);
  if (fits(all)) return all;
  let lo = 1;
  let hi = count - 1;
  let fit: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const tried = attempt(mid);
    if (fits(tried)) {
      fit = tried;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return fit;
}
