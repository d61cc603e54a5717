/**
 * EventBridge Scheduler's schedule expressions, and when a schedule fires next, in its time zone.
 *
 * `cron(minutes hours day-of-month month day-of-week year)`, the six fields AWS documents:
 *
 *   minutes 0-59, hours 0-23          , - * /
 *   day-of-month 1-31                 , - * / ?  and, standing alone, L (last day), nW (weekday nearest n), LW
 *   month 1-12 or JAN-DEC             , - * /
 *   day-of-week 1-7 or SUN-SAT        , - * ?    and, standing alone, L (Saturdays), nL (last n of the month),
 *                                                n#k (the k-th n of the month)
 *   year 1970-2199                    , - * /
 *
 * One of day-of-month and day-of-week must be `?`, the other not. Anything else is refused with a reason (a
 * range that wraps round, `L-3`, `/` in day-of-week, `#` in a list), never read as something else.
 *
 * Time zones as EventBridge Scheduler applies them: the fields are wall-clock time in the schedule's zone; a
 * time that does not exist on the day the clocks go forward is skipped; a time that happens twice when they go
 * back fires once (the first). `at(yyyy-mm-ddThh:mm:ss)` fires once at that wall-clock time. `rate(…)` counts
 * from when the schedule started, which the expression does not say: its next time is not computed here.
 */
import { DigestError } from './errors';

/** A schedule expression this module cannot read, with what is wrong and where. */
export class CronError extends DigestError {}

type DayOfMonth =
  | { kind: 'days'; days: ReadonlySet<number> }
  | { kind: 'last' }
  | { kind: 'last-weekday' }
  | { kind: 'nearest-weekday'; day: number };

type DayOfWeek =
  | { kind: 'days'; days: ReadonlySet<number> }
  /** The last such day of the month (`6L`: the last Friday). */
  | { kind: 'last'; day: number }
  /** The n-th such day of the month (`2#1`: the first Monday). */
  | { kind: 'nth'; day: number; nth: number };

export interface Cron {
  minutes: readonly number[];
  hours: readonly number[];
  months: ReadonlySet<number>;
  years: ReadonlySet<number>;
  /** Exactly one of the two day fields restricts the day; the other was `?`. */
  day: { of: 'month'; rule: DayOfMonth } | { of: 'week'; rule: DayOfWeek };
}

export type ScheduleExpression =
  | { kind: 'cron'; cron: Cron }
  | { kind: 'at'; wallClock: WallClock }
  | { kind: 'rate'; value: number; unit: 'minutes' | 'hours' | 'days' };

/** A time as a clock on the wall of some zone shows it. Months 1-12; weekday 1 (Sunday) to 7 (Saturday). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  steps: boolean;
}

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59, steps: true },
  hours: { name: 'hours', min: 0, max: 23, steps: true },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31, steps: true },
  month: { name: 'month', min: 1, max: 12, names: MONTHS, steps: true },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, steps: false },
  year: { name: 'year', min: 1970, max: 2199, steps: true },
} satisfies Record<string, FieldSpec>;

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n)) throw new CronError(`${spec.name}: "${text}" is not a value (${range(spec)})`);
  if (n < spec.min || n > spec.max) throw new CronError(`${spec.name}: ${text} is out of range (${range(spec)})`);
  return n;
}

const range = (spec: FieldSpec) =>
  `${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : ''}`;

/** `*`, `n`, `a-b`, each with an optional `/step`, in a comma list: the values, ascending. */
function values(field: string, spec: FieldSpec): number[] {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    if (item === '') throw new CronError(`${spec.name}: an empty item in "${field}"`);
    const [base = '', step, extra] = item.split('/');
    if (extra !== undefined) throw new CronError(`${spec.name}: "${item}" has two /`);
    if (step !== undefined && !spec.steps) throw new CronError(`${spec.name} takes no / (in "${item}")`);
    let from: number;
    let to: number;
    if (base === '*') [from, to] = [spec.min, spec.max];
    else if (base.includes('-')) {
      const [a = '', b = '', more] = base.split('-');
      if (more !== undefined) throw new CronError(`${spec.name}: "${base}" is not a range`);
      [from, to] = [value(a, spec), value(b, spec)];
      if (from > to) throw new CronError(`${spec.name}: the range ${base} goes backwards (write ${b}-${a}, or a list)`);
    } else {
      from = value(base, spec);
      // `5/15`: from 5 to the end, every 15.
      to = step === undefined ? from : spec.max;
    }
    const by = step === undefined ? 1 : Number(step);
    if (!/^\d+$/.test(step ?? '1') || by < 1) throw new CronError(`${spec.name}: "${step}" is not a step`);
    for (let v = from; v <= to; v += by) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function dayOfMonth(field: string): DayOfMonth {
  const spec = FIELDS.dayOfMonth;
  if (field === 'L') return { kind: 'last' };
  if (field === 'LW') return { kind: 'last-weekday' };
  const weekday = /^(\d+)W$/.exec(field);
  if (weekday) return { kind: 'nearest-weekday', day: value(weekday[1] as string, spec) };
  if (/[LW]/i.test(field)) {
    throw new CronError(`day-of-month: "${field}": L, LW and nW (3W) stand alone in the field; L-n is not supported`);
  }
  return { kind: 'days', days: new Set(values(field, spec)) };
}

function dayOfWeek(field: string): DayOfWeek {
  const spec = FIELDS.dayOfWeek;
  // L alone is the last day of every week (Saturday); nL the last such day of the month.
  if (field === 'L') return { kind: 'days', days: new Set([7]) };
  const last = /^(\w+)L$/i.exec(field);
  if (last) return { kind: 'last', day: value(last[1] as string, spec) };
  const nth = /^(\w+)#(\d+)$/.exec(field);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new CronError(`day-of-week: "${field}": the instance after # is 1 to 5`);
    return { kind: 'nth', day: value(nth[1] as string, spec), nth: n };
  }
  // No day name has an L: any L here is the wildcard.
  if (/[#L]/i.test(field)) {
    throw new CronError(`day-of-week: "${field}": nL and n#k stand alone in the field (one expression, no list)`);
  }
  return { kind: 'days', days: new Set(values(field, spec)) };
}

/** The six fields of a cron expression (what is inside `cron(…)`). */
export function parseCron(text: string): Cron {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new CronError(
      `cron has 6 fields (minutes hours day-of-month month day-of-week year), "${text}" has ${parts.length}`,
    );
  }
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new CronError(
      `cron "${text}": one of day-of-month and day-of-week must be ? and the other not (0 7 ? * SAT *, 0 7 1 * ? *)`,
    );
  }
  return {
    minutes: values(min, FIELDS.minutes),
    hours: values(hour, FIELDS.hours),
    months: new Set(values(month, FIELDS.month)),
    years: new Set(values(year, FIELDS.year)),
    day: dom === '?' ? { of: 'week', rule: dayOfWeek(dow) } : { of: 'month', rule: dayOfMonth(dom) },
  };
}

/** `cron(…)`, `at(…)` or `rate(…)`, as a schedule's ScheduleExpression holds it. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const m = /^\s*(cron|at|rate)\((.*)\)\s*$/.exec(expression);
  if (!m) throw new CronError(`"${expression}" is not cron(…), at(…) or rate(…)`);
  const body = m[2] as string;
  if (m[1] === 'cron') return { kind: 'cron', cron: parseCron(body) };
  if (m[1] === 'at') {
    const at = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
    if (!at) throw new CronError(`at(${body}): the time is yyyy-mm-ddThh:mm:ss`);
    const [year, month, day, hour, minute] = at.slice(1, 6).map(Number) as [number, number, number, number, number];
    return { kind: 'at', wallClock: { year, month, day, hour, minute } };
  }
  const rate = /^\s*(\d+)\s+(minutes?|hours?|days?)\s*$/.exec(body);
  if (!rate || Number(rate[1]) < 1)
    throw new CronError(`rate(${body}): the rate is "N minutes", "N hours" or "N days"`);
  const unit = (rate[2] as string).replace(/s?$/, 's') as 'minutes' | 'hours' | 'days';
  return { kind: 'rate', value: Number(rate[1]), unit };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 (Sunday) to 7 (Saturday), of a calendar date. */
const weekdayOf = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
const isWeekday = (year: number, month: number, day: number) => {
  const w = weekdayOf(year, month, day);
  return w !== 1 && w !== 7;
};

/** The weekday (Monday to Friday) nearest `day` in its month, never crossing into another month. */
function nearestWeekday(year: number, month: number, day: number): number | undefined {
  const last = daysIn(year, month);
  if (day > last) return undefined;
  const w = weekdayOf(year, month, day);
  if (w === 7) return day === 1 ? 3 : day - 1; // Saturday: Friday before, or Monday the 3rd
  if (w === 1) return day === last ? day - 2 : day + 1; // Sunday: Monday after, or Friday before the end
  return day;
}

function dayMatches(cron: Cron, year: number, month: number, day: number): boolean {
  const last = daysIn(year, month);
  if (cron.day.of === 'month') {
    const rule = cron.day.rule;
    switch (rule.kind) {
      case 'days':
        return rule.days.has(day);
      case 'last':
        return day === last;
      case 'last-weekday': {
        let d = last;
        while (!isWeekday(year, month, d)) d--;
        return day === d;
      }
      case 'nearest-weekday':
        return nearestWeekday(year, month, rule.day) === day;
    }
  }
  const rule = cron.day.rule;
  const w = weekdayOf(year, month, day);
  switch (rule.kind) {
    case 'days':
      return rule.days.has(w);
    case 'last':
      return w === rule.day && day + 7 > last;
    case 'nth':
      return w === rule.day && Math.ceil(day / 7) === rule.nth;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new CronError(`"${timeZone}" is not a time zone (an IANA name: Europe/London, America/New_York, UTC)`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** What the clock in `timeZone` shows at `at`. */
export function wallClockAt(at: Date, timeZone: string): WallClock & { second: number } {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const n = (k: string) => Number(parts[k]);
  return {
    year: n('year'),
    month: n('month'),
    day: n('day'),
    hour: n('hour'),
    minute: n('minute'),
    second: n('second'),
  };
}

/** The zone's offset from UTC at `ms`, in ms (whole minutes of it; seconds of old local mean times are dropped). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClockAt(new Date(ms), timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The instant the clock in `timeZone` shows `w`: undefined when the clocks jump over it, the first of the two
 * when they show it twice.
 */
export function instantOf(w: WallClock, timeZone: string): Date | undefined {
  const local = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const offsets = new Set([offsetAt(local - 86_400_000, timeZone), offsetAt(local + 86_400_000, timeZone)]);
  const found = [...offsets].map((o) => local - o).filter((t) => offsetAt(t, timeZone) === local - t);
  return found.length > 0 ? new Date(Math.min(...found)) : undefined;
}

/** The first time after `after` that `cron` fires in `timeZone`; undefined if it never fires again (by 2199). */
export function nextCronTime(cron: Cron, after: Date, timeZone: string): Date | undefined {
  const start = wallClockAt(after, timeZone);
  const years = [...cron.years].filter((y) => y >= start.year).sort((a, b) => a - b);
  const months = [...cron.months].sort((a, b) => a - b);
  for (const year of years) {
    for (const month of months) {
      if (year === start.year && month < start.month) continue;
      const first = year === start.year && month === start.month ? start.day : 1;
      for (let day = first; day <= daysIn(year, month); day++) {
        if (!dayMatches(cron, year, month, day)) continue;
        for (const hour of cron.hours) {
          for (const minute of cron.minutes) {
            const at = instantOf({ year, month, day, hour, minute }, timeZone);
            if (at && at.getTime() > after.getTime()) return at;
          }
        }
      }
    }
  }
  return undefined;
}

/** When a schedule expression fires next after `after`; for `rate(…)`, a reason instead of a time. */
export function nextFireTime(
  expression: ScheduleExpression,
  after: Date,
  timeZone: string,
): { at?: Date; unknown?: string } {
  switch (expression.kind) {
    case 'cron':
      return { at: nextCronTime(expression.cron, after, timeZone) };
    case 'at': {
      const at = instantOf(expression.wallClock, timeZone);
      return { at: at && at.getTime() > after.getTime() ? at : undefined };
    }
    case 'rate':
      return {
        unknown: `rate(${expression.value} ${expression.unit}) counts from when the schedule started, which it does not say`,
      };
  }
}
