/** Issues in the file store: issues/000001.json, one issue record each, rewritten atomically. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StoreError } from '../../core/errors';
import type { IssueRecord, IssueStatus } from '../../core/model';
import type { History, IssueStore, IssueSummary } from '../../ports/store';
import { createFileExclusive, readFileIfExists, writeFileAtomic } from '../fs-util';
import { parseJson } from './json';

const pad = (n: number) => String(n).padStart(6, '0');

export class FileIssues implements IssueStore {
  private readonly dir: string;

  /** `stateDir`: the store's directory; the issues are in its `issues/`. */
  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'issues');
  }

  private issueFile(issue: number) {
    return path.join(this.dir, `${pad(issue)}.json`);
  }

  private async readIssues(): Promise<IssueRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: IssueRecord[] = [];
    for (const name of names.filter((n) => /^\d+\.json$/.test(n)).sort()) {
      const file = path.join(this.dir, name);
      records.push(parseJson<IssueRecord>(await fs.readFile(file, 'utf8'), file));
    }
    return records;
  }

  async history(): Promise<History> {
    const records = await this.readIssues();
    const sentLinks = new Set<string>();
    let lastSent: History['lastSent'];
    let unfinished: IssueRecord | undefined;
    let nextIssue = 1;
    for (const r of records) {
      nextIssue = Math.max(nextIssue, r.issue + 1);
      if (r.status === 'sent') {
        for (const link of r.links) sentLinks.add(link);
        if (!lastSent || r.issue > lastSent.issue) {
          lastSent = { issue: r.issue, watermark: r.watermark, sentAt: r.sentAt ?? r.composedAt };
        }
      } else if (!unfinished) {
        unfinished = r;
      }
    }
    return { nextIssue, lastSent, sentLinks, unfinished };
  }

  async createIssue(record: IssueRecord): Promise<void> {
    const file = this.issueFile(record.issue);
    if (!(await createFileExclusive(file, JSON.stringify(record)))) {
      throw new StoreError(`issue ${record.issue} already exists in ${file}`);
    }
  }

  async getIssue(issue: number): Promise<IssueRecord | undefined> {
    const file = this.issueFile(issue);
    const text = await readFileIfExists(file);
    return text === undefined ? undefined : parseJson<IssueRecord>(text, file);
  }

  async listIssues(): Promise<IssueSummary[]> {
    return (await this.readIssues()).map((r) => ({
      issue: r.issue,
      status: r.status,
      subject: r.model.subject,
      bookmarkCount: r.model.bookmarkCount,
      composedAt: r.composedAt,
      ...(r.sentAt ? { sentAt: r.sentAt } : {}),
    }));
  }

  async advanceIssue(issue: number, from: IssueStatus, to: IssueStatus, at: string): Promise<boolean> {
    const record = await this.getIssue(issue);
    if (!record || record.status !== from) return false;
    const next: IssueRecord = { ...record, status: to, ...(to === 'sent' ? { sentAt: at } : {}) };
    await writeFileAtomic(this.issueFile(issue), JSON.stringify(next));
    return true;
  }
}
