/** One GET with Node's fetch (redirects followed), reading at most 64 KB of the body: enough to judge a page. */
import type { HttpProbe, PageFacts } from '../ports';

const MAX_BODY = 65_536;

export class FetchProbe implements HttpProbe {
  async get(url: string, accept: string, signal: AbortSignal): Promise<PageFacts> {
    const started = performance.now();
    const response = await fetch(url, { headers: { accept, 'user-agent': 'pinboard-digest doctor' }, signal });
    const reader = response.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (reader) {
      while (size < MAX_BODY) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        size += value.byteLength;
      }
      await reader.cancel().catch(() => {});
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8'),
      ms: performance.now() - started,
    };
  }
}
