/**
 * Node's own `require`, for an ES-module package (`feed` 6) that jest's CommonJS loader cannot load without
 * --experimental-vm-modules. Node itself loads ES modules with require since 20.19. Used only as
 * `jest.mock('feed', () => require('../helpers/node-require').nodeRequire('feed'))`: the real package, loaded
 * by Node instead of jest. Jest replaces `node:module` in a test's realm, so it is taken from Node's own.
 */
import path from 'node:path';
import vm from 'node:vm';

type Builtin = (id: 'node:module') => typeof import('node:module');

export function nodeRequire(id: string): unknown {
  const getBuiltin = vm.runInThisContext('process.getBuiltinModule') as Builtin;
  return getBuiltin('node:module').createRequire(path.resolve(__dirname, '../../package.json'))(id);
}
