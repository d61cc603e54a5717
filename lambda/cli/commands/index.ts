/**
 * Every command of the `pinboard-digest` CLI, in the order `--help` lists them. A new command: one file, one
 * line here. Each module is required when it is asked for, so the built CLI (lambda/cli/build.mjs) loads only
 * the command that runs: `--help` and flag parsing read the specs the build wrote down.
 */
import type { Command, CommandSpec } from '../command';

const LOADERS: Record<string, () => Command> = {
  init: () => (require('./init') as typeof import('./init')).init,
  doctor: () => (require('./doctor') as typeof import('./doctor')).doctor,
  preview: () => (require('./preview') as typeof import('./preview')).preview,
  send: () => (require('./send') as typeof import('./send')).send,
  subscribers: () => (require('./subscribers') as typeof import('./subscribers')).subscribers,
  serve: () => (require('./serve') as typeof import('./serve')).serve,
  issues: () => (require('./issues') as typeof import('./issues')).issues,
  site: () => (require('./site') as typeof import('./site')).site,
  deploy: () => (require('./deploy') as typeof import('./deploy')).deploy,
  smoke: () => (require('./smoke') as typeof import('./smoke')).smoke,
  pause: () => (require('./pause') as typeof import('./pause')).pause,
  resume: () => (require('./pause') as typeof import('./pause')).resume,
  status: () => (require('./status') as typeof import('./status')).status,
  draft: () => (require('./review') as typeof import('./review')).draft,
  approve: () => (require('./review') as typeof import('./review')).approve,
  hold: () => (require('./review') as typeof import('./review')).hold,
  note: () => (require('./review') as typeof import('./review')).note,
};

/** Every command, each module loaded. */
export const loadCommands = (): Command[] => Object.values(LOADERS).map((load) => load());

/** The commands from their specs; a command's module is loaded when it runs. */
export function lazyCommands(specs: readonly CommandSpec[]): Command[] {
  return specs.map((spec) => {
    const load = LOADERS[spec.name];
    if (!load) throw new Error(`no command "${spec.name}" in lambda/cli/commands/index.ts`);
    return { ...spec, run: (input, output) => load().run(input, output) };
  });
}
