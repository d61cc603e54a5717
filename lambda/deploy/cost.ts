/**
 * What a deployed digest costs a month, from the list size and the issues a month: the unit prices and the
 * per-message figures of docs/operations.md ("What it costs": us-east-1, 2026). Pure; an estimate, not a bill.
 */

export interface MonthlyCost {
  messages: number;
  /** Dollars, by service, and the total. */
  items: Record<'ses' | 'lambda' | 'sqs' | 'dynamodb' | 'secrets' | 'site' | 'cloudwatch', number>;
  total: number;
}

/** Issues a month from an EventBridge cron (`min hour day-of-month month day-of-week year`): an estimate. */
export function issuesPerMonth(cron: string): number {
  const [, , dom = '*', , dow = '?'] = cron.trim().split(/\s+/);
  const count = (field: string) => field.split(',').reduce((n, part) => n + span(part), 0);
  if (dow !== '?' && dow !== '*') return Math.round(count(dow) * (52 / 12) * 100) / 100;
  if (dom === '*' || dom === '?') return 30;
  return count(dom);
}

/** How many values one cron list item covers: `3`, `MON-FRI`, `1-15`, `*\/2` (of 7, for a weekday field). */
function span(part: string): number {
  const [range = '', step] = part.split('/');
  const days = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
  const value = (v: string) => (days.includes(v.toUpperCase()) ? days.indexOf(v.toUpperCase()) + 1 : Number(v));
  const [a, b] = range.split('-');
  const width = b === undefined ? (range === '*' ? 7 : 1) : value(b) - value(a ?? '') + 1;
  return Math.max(1, Math.ceil(width / (step ? Number(step) || 1 : 1)));
}

const round = (n: number) => Math.round(n * 100) / 100;

export function monthlyCost(subscribers: number, issues: number): MonthlyCost {
  const messages = Math.round(subscribers * issues);
  const items = {
    ses: messages * 0.0001,
    // Each message holds an invocation of 1 GB for 1/7 s (two invocations at 7/s each), arm64 $0.0000133334/GB-s.
    lambda: (messages / 7) * 0.0000133334,
    // Three requests per 50-recipient batch, and the event source's idle long polls (~650,000 a month).
    sqs: ((messages / 50) * 3 + 650_000) * 0.0000004,
    // About 3 writes ($0.625/million) and 3 reads ($0.125/million) per message.
    dynamodb: messages * (3 * 0.000000625 + 3 * 0.000000125),
    secrets: 3 * 0.4,
    site: 0.01 + messages * 0.0000001,
    // Alarm metrics beyond the free ten, and logs that grow with the list.
    cloudwatch: 0.7 + messages * 0.0000009,
  };
  const rounded = Object.fromEntries(Object.entries(items).map(([k, v]) => [k, round(v)])) as MonthlyCost['items'];
  return { messages, items: rounded, total: round(Object.values(items).reduce((a, b) => a + b, 0)) };
}
