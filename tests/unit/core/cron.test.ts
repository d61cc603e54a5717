import {
  CronError,
  instantOf,
  nextCronTime,
  nextFireTime,
  parseCron,
  parseScheduleExpression,
  wallClockAt,
} from '../../../lambda/core/cron';

const next = (fields: string, after: string, tz = 'UTC') =>
  nextCronTime(parseCron(fields), new Date(after), tz)?.toISOString();

/** The following `n` fire times, each after the one before. */
const following = (fields: string, after: string, n: number, tz = 'UTC') => {
  const cron = parseCron(fields);
  const out: string[] = [];
  let t = new Date(after);
  for (let i = 0; i < n; i++) {
    const at = nextCronTime(cron, t, tz);
    if (!at) break;
    out.push(at.toISOString());
    t = at;
  }
  return out;
};

describe('the next time a schedule fires', () => {
  it('Saturdays at 07:00 in London: GMT in winter, BST in summer', () => {
    // Wednesday 2 December 2026, evening.
    expect(next('0 7 ? * SAT *', '2026-12-02T19:55:00Z', 'Europe/London')).toBe('2026-12-05T07:00:00.000Z');
    expect(next('0 7 ? * SAT *', '2026-06-01T00:00:00Z', 'Europe/London')).toBe('2026-06-06T06:00:00.000Z');
    // At the very minute it fired, the next is a week on.
    expect(next('0 7 ? * 7 *', '2026-12-05T07:00:00Z', 'Europe/London')).toBe('2026-12-12T07:00:00.000Z');
    // The same wall-clock time elsewhere is another instant.
    expect(next('0 7 ? * SAT *', '2026-12-02T19:55:00Z', 'Asia/Tokyo')).toBe('2026-12-04T22:00:00.000Z');
  });

  it('ranges, lists and steps', () => {
    expect(following('0/20 9-10 ? * MON-FRI *', '2026-12-04T10:30:00Z', 5)).toEqual([
      '2026-12-04T10:40:00.000Z', // Friday
      '2026-12-07T09:00:00.000Z', // Monday: the weekend skipped
      '2026-12-07T09:20:00.000Z',
      '2026-12-07T09:40:00.000Z',
      '2026-12-07T10:00:00.000Z',
    ]);
    expect(following('15 8,18 1,15 JAN,JUL ? *', '2026-12-02T00:00:00Z', 4)).toEqual([
      '2027-01-01T08:15:00.000Z',
      '2027-01-01T18:15:00.000Z',
      '2027-01-15T08:15:00.000Z',
      '2027-01-15T18:15:00.000Z',
    ]);
    expect(following('*/25 0 1 */5 ? *', '2026-12-02T00:00:00Z', 4)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2027-01-01T00:25:00.000Z',
      '2027-01-01T00:50:00.000Z',
      '2027-06-01T00:00:00.000Z', // months 1, 6, 11
    ]);
    expect(next('* * * * ? *', '2026-12-02T10:00:30Z')).toBe('2026-12-02T10:01:00.000Z');
  });

  it('L: the last day of the month (a leap February), and LW its last weekday', () => {
    expect(next('0 12 L * ? *', '2028-02-10T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
    expect(next('0 12 L * ? *', '2027-02-10T00:00:00Z')).toBe('2027-02-28T12:00:00.000Z');
    // 31 May 2026 is a Sunday: Friday the 29th.
    expect(next('0 9 LW * ? *', '2026-05-01T00:00:00Z')).toBe('2026-05-29T09:00:00.000Z');
  });

  it('nW: the weekday nearest the day, inside its month', () => {
    // 15 August 2026 is a Saturday: Friday the 14th. 1 August is a Saturday too: Monday the 3rd, not 31 July.
    expect(next('0 9 15W * ? *', '2026-08-01T12:00:00Z')).toBe('2026-08-14T09:00:00.000Z');
    expect(next('0 9 1W * ? *', '2026-07-15T00:00:00Z')).toBe('2026-08-03T09:00:00.000Z');
    // 31 January 2027 is a Sunday: Friday the 29th (not Monday 1 February).
    expect(next('0 9 31W * ? *', '2027-01-15T00:00:00Z')).toBe('2027-01-29T09:00:00.000Z');
    // No 31st in these months: the next month that has one.
    expect(next('0 9 31W * ? *', '2027-04-01T00:00:00Z')).toBe('2027-05-31T09:00:00.000Z');
  });

  it('nL and n#k in day-of-week: the last Friday, the first Monday, and a fifth that some months lack', () => {
    expect(next('0 18 ? * 6L *', '2026-12-01T00:00:00Z')).toBe('2026-12-25T18:00:00.000Z');
    expect(next('0 18 ? * FRIL *', '2026-12-26T00:00:00Z')).toBe('2027-01-29T18:00:00.000Z');
    expect(next('0 8 ? * 2#1 *', '2026-12-08T00:00:00Z')).toBe('2027-01-04T08:00:00.000Z');
    // A fifth Wednesday: December 2026 has one (the 30th); January 2027 does not, March does (the 31st).
    expect(following('0 8 ? * WED#5 *', '2026-12-01T00:00:00Z', 2)).toEqual([
      '2026-12-30T08:00:00.000Z',
      '2027-03-31T08:00:00.000Z',
    ]);
    // L alone: the last day of the week, Saturday.
    expect(next('0 8 ? * L *', '2026-12-02T00:00:00Z')).toBe('2026-12-05T08:00:00.000Z');
  });

  it('the clocks going forward skip a time that does not exist; going back, a doubled time fires once', () => {
    // London, 29 March 2026: 01:00 GMT becomes 02:00 BST, so 01:30 is no time at all that day.
    expect(following('30 1 * * ? *', '2026-03-28T12:00:00Z', 2, 'Europe/London')).toEqual([
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
    // 25 October 2026: 01:30 happens at 00:30Z (BST) and again at 01:30Z (GMT); only the first fires.
    expect(following('30 1 * * ? *', '2026-10-24T12:00:00Z', 2, 'Europe/London')).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    expect(instantOf({ year: 2026, month: 3, day: 29, hour: 1, minute: 30 }, 'Europe/London')).toBeUndefined();
  });

  it('agrees with a minute-by-minute scan of the wall clock across both DST changes in New York', () => {
    const hours = new Set([0, 1, 2, 3, 13]);
    const minutes = new Set([0, 7, 14, 21, 28, 35, 42, 49, 56]);
    const weekdays = new Set([1, 3, 5, 7]); // SUN, TUE, THU, SAT
    for (const start of ['2026-03-06T00:00:00Z', '2026-10-30T00:00:00Z']) {
      const got = following('0/7 0-3,13 ? * SUN,TUE,THU,SAT *', start, 60, 'America/New_York');
      const scanned: string[] = [];
      const seen = new Set<string>();
      for (let t = Date.parse(start) + 60_000; scanned.length < got.length; t += 60_000) {
        const w = wallClockAt(new Date(t), 'America/New_York');
        const weekday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 1;
        const key = `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}`;
        if (hours.has(w.hour) && minutes.has(w.minute) && weekdays.has(weekday) && !seen.has(key)) {
          seen.add(key); // a wall-clock time the clocks show twice fires the first time only
          scanned.push(new Date(t).toISOString());
        }
      }
      expect(got).toHaveLength(60);
      expect(got).toEqual(scanned);
    }
  });

  it('says never when the fields cannot meet again', () => {
    expect(next('0 0 30 FEB ? *', '2026-01-01T00:00:00Z')).toBeUndefined();
    expect(next('0 0 1 1 ? 2027', '2027-06-01T00:00:00Z')).toBeUndefined();
    expect(next('0 0 1 1 ? 2027-2029/2', '2027-06-01T00:00:00Z')).toBe('2029-01-01T00:00:00.000Z');
  });

  it('reads cron(…), at(…) and rate(…), and says why a rate has no computed next time', () => {
    const cron = parseScheduleExpression('cron(0 7 ? * SAT *)');
    expect(nextFireTime(cron, new Date('2026-12-02T19:55:00Z'), 'Europe/London').at?.toISOString()).toBe(
      '2026-12-05T07:00:00.000Z',
    );
    const at = parseScheduleExpression('at(2027-01-01T09:00:00)');
    expect(nextFireTime(at, new Date('2026-12-02T00:00:00Z'), 'America/New_York').at?.toISOString()).toBe(
      '2027-01-01T14:00:00.000Z',
    );
    expect(nextFireTime(at, new Date('2027-02-01T00:00:00Z'), 'America/New_York').at).toBeUndefined();
    const rate = parseScheduleExpression('rate(1 day)');
    expect(rate).toEqual({ kind: 'rate', value: 1, unit: 'days' });
    expect(nextFireTime(rate, new Date(), 'UTC')).toEqual({ unknown: expect.stringMatching(/counts from when/) });
  });

  it.each([
    ['five fields', '0 7 * * ?', /6 fields/],
    ['both day fields set', '0 7 1 * MON *', /one of day-of-month and day-of-week must be \?/],
    ['both day fields ?', '0 7 ? * ? *', /one of day-of-month and day-of-week must be \?/],
    ['a minute out of range', '60 7 * * ? *', /minutes: 60 is out of range \(0-59\)/],
    ['month 13', '0 7 1 13 ? *', /month: 13 is out of range/],
    ['a year before 1970', '0 7 1 1 ? 1969', /year: 1969 is out of range/],
    ['a range that wraps round', '0 7 ? * FRI-MON *', /the range FRI-MON goes backwards/],
    ['a step in day-of-week', '0 7 ? * 1/2 *', /day-of-week takes no \//],
    ['# in a list', '0 7 ? * 3#1,6#3 *', /stand alone/],
    ['# past the fifth', '0 7 ? * 3#6 *', /1 to 5/],
    ['L-3', '0 7 L-3 * ? *', /L-n is not supported/],
    ['L in a list', '0 7 1,L * ? *', /stand alone/],
    ['a name that is no day', '0 7 ? * FUN *', /"FUN" is not a value/],
    ['an empty list item', '0,,5 7 * * ? *', /an empty item/],
    ['a zero step', '0/0 7 * * ? *', /not a step/],
  ])('refuses %s, saying why', (_name, fields, reason) => {
    expect(() => parseCron(fields)).toThrow(CronError);
    expect(() => parseCron(fields)).toThrow(reason);
  });

  it('refuses what is not a schedule expression, and a zone that does not exist', () => {
    expect(() => parseScheduleExpression('0 7 ? * SAT *')).toThrow(/is not cron\(…\), at\(…\) or rate\(…\)/);
    expect(() => parseScheduleExpression('at(2027-01-01 09:00)')).toThrow(/yyyy-mm-ddThh:mm:ss/);
    expect(() => parseScheduleExpression('rate(0 minutes)')).toThrow(/N minutes/);
    expect(() => next('0 7 ? * SAT *', '2026-12-02T00:00:00Z', 'Mars/Olympus')).toThrow(/is not a time zone/);
  });
});
