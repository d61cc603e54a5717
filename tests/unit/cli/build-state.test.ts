/** When the CLI runs its build: only while no file the build was made from has changed or gone. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const { freshBuild } = require('../../../lambda/cli/build-state.js') as {
  freshBuild: (dist: string, root: string) => { sources: string[] } | undefined;
};

describe('freshBuild', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'pd-build-state-'));
  const dist = path.join(root, 'dist');
  const builtAt = Date.now();
  const write = (file: string, secondsFromBuild: number) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), 'x');
    const at = new Date(builtAt + secondsFromBuild * 1000);
    utimesSync(path.join(root, file), at, at);
  };
  const manifest = (sources: string[]) => {
    mkdirSync(dist, { recursive: true });
    writeFileSync(path.join(dist, 'manifest.json'), JSON.stringify({ builtAt, commands: [], sources }));
  };

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is the manifest while every source is older than the build', () => {
    write('lambda/a.ts', -60);
    write('lambda/b.ts', -1);
    manifest(['lambda/a.ts', 'lambda/b.ts']);
    expect(freshBuild(dist, root)?.sources).toEqual(['lambda/a.ts', 'lambda/b.ts']);
  });

  it('is undefined once a source is edited after the build', () => {
    write('lambda/a.ts', -60);
    write('lambda/b.ts', 5);
    manifest(['lambda/a.ts', 'lambda/b.ts']);
    expect(freshBuild(dist, root)).toBeUndefined();
  });

  it('is undefined when a source is gone, the manifest is missing or not one', () => {
    write('lambda/a.ts', -60);
    manifest(['lambda/a.ts', 'lambda/gone.ts']);
    expect(freshBuild(dist, root)).toBeUndefined();
    writeFileSync(path.join(dist, 'manifest.json'), '{"builtAt": "soon"}');
    expect(freshBuild(dist, root)).toBeUndefined();
    rmSync(path.join(dist, 'manifest.json'));
    expect(freshBuild(dist, root)).toBeUndefined();
  });
});
