/**
 * Doctor keeps judging apart from probing: the check descriptions, the plan, the runner and the formats import no
 * file system, network or SDK module and no probe; only lambda/doctor/probes/ touches the world.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DOCTOR = path.resolve(__dirname, '../../../lambda/doctor');
const FORBIDDEN =
  /^(node:)?(fs|fs\/promises|http|https|net|dgram|dns|dns\/promises|child_process)$|^@aws-sdk\/|\/adapters\/|\/probes(\/|$)|\/wiring$/;

const pureFiles = () =>
  readdirSync(DOCTOR, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !path.relative(DOCTOR, f).startsWith('probes'));

describe('lambda/doctor layers', () => {
  it('judges without probing: no file system, network, SDK, adapter or probe imports outside probes/', () => {
    const files = pureFiles();
    expect(files.map((f) => path.relative(DOCTOR, f)).sort()).toEqual(
      expect.arrayContaining(['check.ts', 'format.ts', 'plan.ts', 'run.ts', 'checks/ses.ts', 'checks/dns.ts']),
    );
    const problems = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)]
        .map((m) => m[1] ?? '')
        .filter((spec) => FORBIDDEN.test(spec))
        .map((spec) => `${path.relative(DOCTOR, file)} imports ${spec}`),
    );
    expect(problems).toEqual([]);
  });

  it('the check would see a forbidden import', () => {
    expect(FORBIDDEN.test('node:dns/promises')).toBe(true);
    expect(FORBIDDEN.test('@aws-sdk/client-sesv2')).toBe(true);
    expect(FORBIDDEN.test('./probes')).toBe(true);
    expect(FORBIDDEN.test('../../adapters/pinboard-api')).toBe(true);
    expect(FORBIDDEN.test('../../render/message')).toBe(false);
  });
});
