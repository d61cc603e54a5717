/** What `smoke`, `pause`, `resume` and `status` print: their outcomes as lines for a person. */

import type { QueueDepth } from '../ports/operations';
import type { IssueFigures } from './issue-history';
import type { DeploymentStatus, NextIssue, PauseOutcome, ResumeOutcome } from './operate';
import type { SmokeResult } from './operate-smoke';

const POLLER = "send-batch's queue poller";

const plural = (n: number, one: string, other = `${one}s`) => `${n} ${n === 1 ? one : other}`;

/** 2 days 11 hours; 3 hours 20 minutes; 5 minutes; less than a minute. */
export function untilText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return [plural(days, 'day'), hours ? plural(hours, 'hour') : ''].filter(Boolean).join(' ');
  if (hours > 0) return [plural(hours, 'hour'), minutes % 60 ? plural(minutes % 60, 'minute') : ''].join(' ').trim();
  return plural(minutes, 'minute');
}

/** `Saturday 5 December 2026, 07:00 GMT`: the time as a clock in `timeZone` shows it (the same on any ICU). */
export function localTime(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(at);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

export function describeNext(next: NextIssue, now: Date): string {
  if (next.kind !== 'at') return next.kind === 'never' ? `none: ${next.reason}` : `cannot tell: ${next.reason}`;
  const window = next.flexibleWindowMinutes ? ` (or up to ${next.flexibleWindowMinutes} minutes later)` : '';
  const iso = next.at.toISOString().replace('.000Z', 'Z');
  return `${localTime(next.at, next.timeZone)}${window}, ${next.timeZone} (${iso}), in ${untilText(next.at.getTime() - now.getTime())}`;
}

export function describeQueue(q: QueueDepth): string {
  const total = q.visible + q.inFlight + q.delayed;
  const keeps = q.retentionSeconds
    ? `; the queue keeps a message ${retention(q.retentionSeconds)} after it was queued`
    : '';
  if (total === 0) return `the send queue is empty${keeps}`;
  return `${plural(total, 'batch', 'batches')} on the send queue: ${q.visible} waiting, ${q.inFlight} being sent, ${q.delayed} held back for the SES quota${keeps}`;
}

const retention = (seconds: number) =>
  seconds % 86_400 === 0 ? plural(seconds / 86_400, 'day') : plural(Math.round(seconds / 3600), 'hour');

export function describeIssue(f: IssueFigures): string {
  const when = f.status === 'sent' ? `sent ${f.sentAt ?? f.composedAt}` : `${f.status} (composed ${f.composedAt})`;
  const left = [
    f.bounced ? `${f.bounced} bounced` : '',
    f.complained ? `${f.complained} complained` : '',
    f.unsubscribed ? `${f.unsubscribed} unsubscribed` : '',
  ].filter(Boolean);
  return `#${f.issue} "${f.subject}", ${plural(f.links, 'link')}, ${when}: ${f.sent} sent, ${f.refused} refused, ${f.unfinished} unfinished${left.length ? `; since then ${left.join(', ')}` : ''}`;
}

export function smokeLines(results: readonly SmokeResult[]): string[] {
  const width = Math.max(...results.map((r) => r.label.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.ok ? '✔' : '✗'} ${r.label.padEnd(width)}  ${r.summary}`);
    lines.push(`  ${' '.repeat(width)}  log: ${r.logLine ?? '(nothing logged)'}`);
  }
  const failed = results.filter((r) => !r.ok);
  lines.push(
    failed.length === 0
      ? `All ${results.length} functions answered as deployed; nothing was changed.`
      : `${failed.length} of ${results.length} failed: ${failed.map((r) => r.label).join(', ')}. Their logs: ${failed.map((r) => `aws logs tail /aws/lambda/${r.functionName}`).join('; ')}`,
  );
  return lines;
}

const moved = (what: string, c: { before: string; after: string }, effect: string) =>
  c.before === c.after ? `${what}: ${c.after} already` : `${what}: ${c.before} → ${c.after}: ${effect}`;

export function pauseLines(o: PauseOutcome): string[] {
  const settled = o.eventSource.after === 'Disabled';
  return [
    settled ? 'Sending is paused.' : `Sending is pausing: ${POLLER} is ${o.eventSource.after}.`,
    `  ${moved(`schedule ${o.schedule.name}`, o.schedule, 'no new issue is composed')}`,
    `  ${moved(POLLER, o.eventSource, settled ? 'no batch is sent' : 'a batch in flight finishes, no new one starts')}`,
    `  ${describeQueue(o.queue)}`,
    o.queue.visible + o.queue.inFlight + o.queue.delayed > 0
      ? 'They stay there until `pinboard-digest resume`, which sends them, each reader once.'
      : '`pinboard-digest resume` starts sending again.',
  ];
}

export function resumeLines(o: ResumeOutcome, now: Date): string[] {
  const queued = o.queue.visible + o.queue.inFlight + o.queue.delayed;
  return [
    o.eventSource.after === 'Enabled'
      ? 'Sending is running.'
      : `Sending is resuming: ${POLLER} is ${o.eventSource.after}.`,
    `  ${moved(POLLER, o.eventSource, queued > 0 ? `the ${plural(queued, 'queued batch', 'queued batches')} go out now` : 'batches go out as they come')}`,
    `  ${moved(`schedule ${o.schedule.name}`, o.schedule, 'issues are composed on time again')}`,
    `  next issue: ${describeNext(o.next, now)}`,
  ];
}

export function statusLines(s: DeploymentStatus, now: Date): string[] {
  const lines: string[] = [];
  const sched = s.schedule.ok ? s.schedule.value : undefined;
  const mapping = s.eventSource.ok ? s.eventSource.value : undefined;
  if (s.sending === 'partly paused' && sched && mapping) {
    lines.push(
      `Sending: partly paused (the schedule is ${sched.state}, ${POLLER} is ${mapping.state}): \`pinboard-digest pause\` or \`resume\` sets both`,
    );
  } else lines.push(`Sending: ${s.sending ?? 'unknown'}`);
  lines.push(
    sched
      ? `  schedule ${sched.name} (group ${sched.group}): ${sched.state}, ${sched.expression} in ${sched.timeZone}`
      : `  schedule: cannot be read: ${(s.schedule as { error: string }).error}`,
  );
  lines.push(
    mapping
      ? `  ${POLLER}: ${mapping.state}${mapping.reason ? ` (${mapping.reason})` : ''}`
      : `  ${POLLER}: cannot be read: ${(s.eventSource as { error: string }).error}`,
  );
  lines.push(`  queue: ${s.queue.ok ? describeQueue(s.queue.value) : `cannot be read: ${s.queue.error}`}`);
  if (s.next) {
    const paused = sched?.state === 'DISABLED';
    lines.push(`Next issue: ${paused ? 'none while paused; once resumed, ' : ''}${describeNext(s.next, now)}`);
  }
  if (!s.lastIssue.ok) lines.push(`Last issue: cannot be read: ${s.lastIssue.error}`);
  else lines.push(`Last issue: ${s.lastIssue.value ? describeIssue(s.lastIssue.value) : 'none yet'}`);
  return lines;
}
