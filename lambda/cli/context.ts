/** What every command needs first: config loaded, adapters wired, templates compiled once (see wiring.ts). */
export { type CommonFlags, composeDeps, openApp } from '../wiring';
