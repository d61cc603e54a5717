/** Subscribers in the file store: subscribers.jsonl, one a line, read page by page (../subscriber-file.ts). */
import path from 'node:path';
import { StoreError } from '../../core/errors';
import type { ReaderPrefs, Subscriber, SubscriberStatus } from '../../core/model';
import type { AddResult, NewSubscriber, Release, SubscriberPage, SubscriberStore } from '../../ports/store';
import { SubscriberFile } from '../subscriber-file';

export class FileSubscribers implements SubscriberStore {
  private readonly file: SubscriberFile;

  /** `lock`: the store's locks; a rewrite of the file holds its "subscribers" lock. */
  constructor(stateDir: string, lock: (name: string, waitMs: number) => Promise<Release>) {
    this.file = new SubscriberFile(path.join(stateDir, 'subscribers.jsonl'), lock);
  }

  addSubscriber(input: NewSubscriber, at: string): Promise<AddResult> {
    return this.file.add([input], at).then(([result]) => {
      if (!result) throw new StoreError('internal: no result for an added subscriber');
      return result;
    });
  }

  addSubscribers(inputs: NewSubscriber[], at: string): Promise<AddResult[]> {
    return this.file.add(inputs, at);
  }

  findSubscriber(email: string): Promise<Subscriber | undefined> {
    const wanted = email.toLowerCase();
    return this.file.find((s) => s.email.toLowerCase() === wanted);
  }

  getSubscriber(id: string): Promise<Subscriber | undefined> {
    return this.file.get(id);
  }

  async getSubscribers(ids: string[]): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    for (const id of ids) {
      const subscriber = await this.file.get(id);
      if (subscriber) found.set(id, subscriber);
    }
    return found;
  }

  setSubscriberStatus(id: string, status: SubscriberStatus, at: string): Promise<Subscriber | undefined> {
    return this.file.update(id, (s) => ({ ...s, status, updatedAt: at }));
  }

  setSubscriberPrefs(id: string, prefs: ReaderPrefs | undefined): Promise<Subscriber | undefined> {
    return this.file.update(id, ({ prefs: _, ...s }) => (prefs ? { ...s, prefs } : s));
  }

  listSubscribers(options: { status?: SubscriberStatus; cursor?: string; limit: number }): Promise<SubscriberPage> {
    return this.file.page(options);
  }
}
