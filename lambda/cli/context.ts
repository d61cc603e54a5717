/** What every command needs first: config loaded, adapters wired, templates compiled once. */
import { loadConfig } from '../config';
import { type App, buildApp } from '../wiring';
import type { Output } from './output';

export interface CommonFlags {
  config?: string;
  state?: string;
}

export function openApp(flags: CommonFlags, output: Output, readOnly = false): App {
  const loaded = loadConfig(flags.config);
  return buildApp(loaded, { stateDir: flags.state, log: (line) => output.err(line), readOnly });
}

export { composeDeps } from '../wiring';
