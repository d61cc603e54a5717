/** The subscriber list page by page, the one loop every job that walks the list shares: memory stays flat. */
import type { SubscriberStatus } from '../core/model';
import type { Store, SubscriberPage } from '../ports/store';

type Lister = Pick<Store, 'listSubscribers'>;

export interface PageOptions {
  status?: SubscriberStatus;
  /** Subscribers a read (default 500). */
  pageSize?: number;
  /** Where an earlier walk stopped (a resumed enqueue). */
  cursor?: string;
}

/** Each page with the cursor that follows it (absent after the last). */
export async function* subscriberPages(store: Lister, options: PageOptions = {}): AsyncGenerator<SubscriberPage> {
  let cursor = options.cursor;
  do {
    const page = await store.listSubscribers({
      cursor,
      limit: options.pageSize ?? 500,
      ...(options.status ? { status: options.status } : {}),
    });
    cursor = page.cursor;
    yield page;
  } while (cursor);
}

/** Each subscriber (of `status`, if given), one page read at a time. */
export async function* eachSubscriber(store: Lister, options: PageOptions = {}) {
  for await (const page of subscriberPages(store, options)) yield* page.items;
}

export async function countSubscribers(store: Lister, options: PageOptions = {}): Promise<number> {
  let total = 0;
  for await (const page of subscriberPages(store, { pageSize: 1000, ...options })) total += page.items.length;
  return total;
}
