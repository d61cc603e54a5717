import { StoreError } from '../../core/errors';

/** A state file's JSON; a file that is not JSON is named, with what to do about it. */
export function parseJson<T>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new StoreError(`${file} is not valid JSON (${(cause as Error).message}); restore it from a backup`, {
      cause,
    });
  }
}
