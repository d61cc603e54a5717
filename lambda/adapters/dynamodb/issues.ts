/**
 * Issues on the table: ISSUES / I#<000001>, one item each: status, watermark, links, subject, linkCount, and
 * the rendered body as JSON (read only by getIssue, so history and `issues list` stay cheap).
 */
import { StoreError } from '../../core/errors';
import type { IssueRecord, IssueStatus } from '../../core/model';
import type { History, IssueStore, IssueSummary } from '../../ports/store';
import type { DynamoTable } from './table';

const PK = 'ISSUES';
const pad = (n: number) => String(n).padStart(6, '0');
const sk = (issue: number) => `I#${pad(issue)}`;
const byIssue = (a: Record<string, unknown>, b: Record<string, unknown>) => (a.issue as number) - (b.issue as number);

export class DynamoDbIssues implements IssueStore {
  constructor(private readonly table: DynamoTable) {}

  async history(): Promise<History> {
    const items = await this.table.queryAll(PK, {
      expression: '#i, #s, watermark, links, composedAt, sentAt',
      names: { '#i': 'issue', '#s': 'status' },
    });
    const sentLinks = new Set<string>();
    let lastSent: History['lastSent'];
    let unfinishedNumber: number | undefined;
    let nextIssue = 1;
    for (const item of items.sort(byIssue)) {
      const issue = item.issue as number;
      nextIssue = Math.max(nextIssue, issue + 1);
      if (item.status === 'sent') {
        for (const link of (item.links as string[] | undefined) ?? []) sentLinks.add(link);
        lastSent = { issue, watermark: item.watermark as string, sentAt: (item.sentAt ?? item.composedAt) as string };
      } else {
        unfinishedNumber ??= issue;
      }
    }
    const unfinished = unfinishedNumber === undefined ? undefined : await this.getIssue(unfinishedNumber);
    return { nextIssue, lastSent, sentLinks, unfinished };
  }

  async createIssue(record: IssueRecord): Promise<void> {
    const { model, rendered, placeholder, status, watermark, links, composedAt, issue } = record;
    const created = await this.table.putIf(
      {
        pk: PK,
        sk: sk(issue),
        issue,
        status,
        watermark,
        links,
        composedAt,
        // For `issues list`, which reads these without the body.
        subject: model.subject,
        linkCount: model.bookmarkCount,
        body: JSON.stringify({ model, rendered, placeholder }),
      },
      'attribute_not_exists(pk)',
    );
    if (!created) throw new StoreError(`issue ${issue} already exists in ${this.table.name}`);
  }

  async getIssue(issue: number): Promise<IssueRecord | undefined> {
    const item = await this.table.get(PK, sk(issue));
    if (!item) return undefined;
    const body = JSON.parse(item.body as string) as Pick<IssueRecord, 'model' | 'rendered' | 'placeholder'>;
    return {
      issue: item.issue as number,
      status: item.status as IssueStatus,
      model: body.model,
      rendered: body.rendered,
      placeholder: body.placeholder,
      watermark: item.watermark as string,
      links: (item.links as string[] | undefined) ?? [],
      composedAt: item.composedAt as string,
      ...(item.sentAt ? { sentAt: item.sentAt as string } : {}),
    };
  }

  /** Projects only the summary; issues stored before `subject` and `linkCount` existed are read whole. */
  async listIssues(): Promise<IssueSummary[]> {
    const items = await this.table.queryAll(PK, {
      expression: '#i, #s, subject, linkCount, composedAt, sentAt',
      names: { '#i': 'issue', '#s': 'status' },
    });
    const summaries: IssueSummary[] = [];
    for (const item of items.sort(byIssue)) {
      let { subject, linkCount } = item as { subject?: string; linkCount?: number };
      if (subject === undefined || linkCount === undefined) {
        const model = (await this.getIssue(item.issue as number))?.model;
        subject ??= model?.subject ?? '';
        linkCount ??= model?.bookmarkCount ?? 0;
      }
      summaries.push({
        issue: item.issue as number,
        status: item.status as IssueStatus,
        subject,
        bookmarkCount: linkCount,
        composedAt: item.composedAt as string,
        ...(item.sentAt ? { sentAt: item.sentAt as string } : {}),
      });
    }
    return summaries;
  }

  async advanceIssue(issue: number, from: IssueStatus, to: IssueStatus, at: string): Promise<boolean> {
    const out = await this.table.updateIf({
      Key: { pk: PK, sk: sk(issue) },
      UpdateExpression: to === 'sent' ? 'SET #s = :to, sentAt = :at' : 'SET #s = :to',
      ConditionExpression: 'attribute_exists(pk) AND #s = :from',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':to': to, ':from': from, ...(to === 'sent' ? { ':at': at } : {}) },
    });
    return out !== undefined;
  }
}
