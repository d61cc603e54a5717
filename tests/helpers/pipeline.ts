/**
 * The pipeline that ships (produceIssue → the queue → consumeBatches) for unit tests over a file store and a
 * recording mailer: a renderer that writes each link as an `<a>` (and the model's sections to `renders`), the
 * config's two sections, and a consumer of the queue's batches.
 */
import type { FileStore } from '../../lambda/adapters/file-store';
import type { RenderIssue } from '../../lambda/core/compose';
import { consumeBatches } from '../../lambda/jobs/consume-issue';
import { sizeForRate } from '../../lambda/jobs/worker-pool';
import type { SendBatch } from '../../lambda/ports/queue';
import { messageContext } from './factories';
import type { FakeMailer } from './fake-mailer';
import type { RecordingQueue } from './recording-queue';

export const SCIENCE_AND_WEB = [
  { title: 'Science', tags: ['science'] },
  { title: 'Web', tags: ['web'] },
];

/** Each link as `<a href>`; the subject says the issue (or the round-up's issues) and the count. */
export function linksRenderer(renders: string[][] = []): RenderIssue {
  return (model, unsubscribe) => {
    renders.push(model.sections.map((s) => s.title));
    const links = model.sections.flatMap((s) => s.bookmarks.map((b) => `<a href="${b.url}">${b.title}</a>`));
    const what = model.roundup ? `round-up ${model.roundup.issues.join(',')}` : `#${model.issue}`;
    return {
      subject: `${what}: ${model.bookmarkCount} links`,
      preheader: '',
      html: `<html><body>${links.join('')}<a href="${unsubscribe}">u</a></body></html>`,
      text: links.join('\n'),
    };
  };
}

/** Delivers `batches` (as SQS would hand them over) with `mailer`, at `now`. */
export const consumeWith = (
  store: FileStore,
  queue: RecordingQueue,
  mailer: FakeMailer,
  batches: SendBatch[],
  now: () => Date,
) =>
  consumeBatches(
    batches.map((b, i) => ({ id: `r${i}`, body: JSON.stringify(b) })),
    {
      store,
      queue,
      mailer,
      message: messageContext(),
      now,
      pool: sizeForRate(2),
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, jitter: 0 },
    },
  );
