import { formatDuration, progressReporter } from '../../lambda/cli/output';

describe('progressReporter without a terminal', () => {
  it('logs at each tenth and at the end, with rate and time left', () => {
    const lines: string[] = [];
    let t = 0;
    const reporter = progressReporter({ out: () => {}, err: (l) => lines.push(l), isTTY: false }, () => t);
    const base = { refused: 0, omitted: 0, failed: 0, skipped: 0, busy: 0, retried: 0, total: 100 };
    for (let done = 0; done <= 100; done++) {
      t = done * 100; // 10 messages a second
      reporter.update({ ...base, done, sent: done });
    }
    expect(lines).toHaveLength(11);
    expect(lines[5]).toBe('sending: 50/100 · sent 50 · refused 0 · failed 0 · skipped 0 · 10.0/s · 5s left');
    expect(lines.at(-1)).toMatch(/^sending: 100\/100 · sent 100 .* 10\.0\/s$/);
  });
});

describe('formatDuration', () => {
  it.each([
    [5, '5s'],
    [75, '1m15s'],
    [4000, '1h06m'],
  ])('%d s → %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});
