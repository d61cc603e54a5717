/** What every command needs first: config loaded, adapters wired, templates compiled once. */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config';
import type { ComposeNextDeps } from '../jobs/compose-next';
import { sampleUnsubscribeUrl } from '../render/message';
import { createRenderer } from '../render/renderer';
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

/** Compiles the templates (MJML once per process) and gathers what composing needs. */
export async function composeDeps(app: App): Promise<ComposeNextDeps> {
  const templates = await app.templates();
  return {
    source: app.source(),
    store: app.store,
    render: createRenderer(templates, app.render),
    options: app.compose,
    // Letters and digits only: HTML escaping leaves it intact, and no bookmark text can guess it.
    placeholder: `pdunsub${randomBytes(12).toString('hex')}`,
    sampleUnsubscribeUrl: sampleUnsubscribeUrl(app.message()),
  };
}
