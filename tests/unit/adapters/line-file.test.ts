import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LineAppender, readLineAt, readLines } from '../../../lambda/adapters/line-file';

const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'pd-lines-')), 'sub', 'log.jsonl');

describe('LineAppender', () => {
  it('writes concurrent appends whole, in the order asked, and tells each where its line starts', async () => {
    const file = tempFile();
    const appender = new LineAppender(file);
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, text: `ünïcødé ${'x'.repeat(i % 37)}` }));
    const starts = await Promise.all(lines.map((line) => appender.append(line)));
    expect(await Promise.all(starts.map((start) => readLineAt(file, start)))).toEqual(lines);
    const read: string[] = [];
    for await (const line of readLines(file)) if (line.text) read.push(line.text);
    expect(read).toEqual(lines);
  });

  it('counts bytes another process appended before its write', async () => {
    const file = tempFile();
    const appender = new LineAppender(file);
    const first = await appender.append('{"a":1}');
    appendFileSync(file, '{"torn":');
    const second = await appender.append('{"b":2}');
    expect(await readLineAt(file, first)).toBe('{"a":1}');
    expect(await readLineAt(file, second)).toBe('{"b":2}');
    expect(readFileSync(file, 'utf8')).toBe('\n{"a":1}\n{"torn":\n{"b":2}\n');
  });

  it('fails every caller of a write that fails', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pd-lines-'));
    const appender = new LineAppender(dir); // a directory cannot be appended to
    await expect(Promise.all([appender.append('a'), appender.append('b')])).rejects.toThrow();
    await expect(appender.append('c')).rejects.toThrow();
  });
});

describe('readLines', () => {
  it('reads every line with its offsets, across reads, longer than a read, multibyte, from any line start', async () => {
    const file = tempFile();
    mkdirSync(path.dirname(file), { recursive: true });
    const lines = Array.from({ length: 400 }, (_, i) => `${i}:${'é☕x'.repeat((i * 7919) % 9000)}`);
    lines.push('', 'last line, no newline');
    writeFileSync(file, lines.join('\n'));
    const all: { text: string; start: number; end: number }[] = [];
    for await (const line of readLines(file)) all.push(line);
    expect(all.map((l) => l.text)).toEqual(lines);
    const bytes = readFileSync(file);
    for (const l of all) expect(bytes.toString('utf8', l.start, l.end).replace(/\n$/, '')).toBe(l.text);
    const middle = all[200];
    if (!middle) throw new Error('short');
    const rest: string[] = [];
    for await (const line of readLines(file, middle.start)) rest.push(line.text);
    expect(rest).toEqual(lines.slice(200));
  });
});

describe('readLineAt', () => {
  it('reads one line at an offset, long lines too, and nothing past the end or of a missing file', async () => {
    const file = tempFile();
    const appender = new LineAppender(file);
    const long = 'y'.repeat(5000);
    const start = await appender.append(long);
    const last = start + long.length + 1;
    appendFileSync(file, 'no newline at the end');
    expect(await readLineAt(file, start)).toBe(long);
    expect(await readLineAt(file, last)).toBe('no newline at the end');
    expect(await readLineAt(file, last + 1000)).toBeUndefined();
    expect(await readLineAt(file, start, 1024)).toBeUndefined();
    expect(await readLineAt(`${file}.missing`, 0)).toBeUndefined();
  });
});
