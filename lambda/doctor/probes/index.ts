/**
 * Builds doctor's probes from the app the config wires (its store, its Pinboard API sources, paced as every run
 * is) and the environment. Kept out of lambda/wiring.ts so the functions' bundles never carry doctor's code or
 * the SES v2 client; wiring's `probe` option makes a source call once, within the check's time.
 */
import { PinboardApiSource } from '../../adapters/pinboard-api';
import { ENV } from '../../env';
import { type App, sourceList } from '../../wiring';
import type { DoctorProbes } from '../plan';
import type { PinboardProbe, SourceProbe } from '../ports';
import { dnsServersFrom, TxtLookup } from './dns';
import { FetchProbe } from './http';
import { SesV2Probe } from './ses';
import { DynamoTableProbe, FileStoreProbe } from './store';

export function createProbes(app: App, env: NodeJS.ProcessEnv, timeoutMs: number): DoctorProbes {
  const store = app.config.store;
  const tokenUser = (env[ENV.pinboardToken] ?? '').trim().split(':')[0] ?? '';
  return {
    store:
      store?.type === 'dynamodb' ? new DynamoTableProbe(store.table, { timeoutMs }) : new FileStoreProbe(app.stateDir),
    storeWhere: store?.type === 'dynamodb' ? store.table : app.stateDir,
    pinboard: () => {
      const configs = sourceList(app.config);
      return app.sources().flatMap((named, i): PinboardProbe[] => {
        const s = configs[i];
        if (!(named.source instanceof PinboardApiSource) || s?.type !== 'pinboard-api') return [];
        const source = named.source;
        return [{ user: s.user, tokenUser, lastUpdate: () => source.lastUpdate() }];
      });
    },
    sources: () => {
      const configs = sourceList(app.config);
      if (configs.every((s) => s.type === 'pinboard-api')) return [];
      return app.sources().flatMap((named, i): SourceProbe[] => {
        const s = configs[i];
        if (!s || s.type === 'pinboard-api') return [];
        return [
          {
            kind: s.type,
            label: named.source.description,
            ...(s.type === 'pinboard-rss' ? { user: s.user } : {}),
            // The app is read-only: a feed's first-seen times are read, never written. `now` as the window's
            // start: only what the source itself says is reported, not how far back it reaches.
            read: async () => {
              const now = new Date().toISOString();
              const result = await named.source.fetchSince(now, now);
              return { bookmarks: result.bookmarks.length, warnings: result.warnings };
            },
          },
        ];
      });
    },
    ses: () => new SesV2Probe({ timeoutMs }),
    dns: new TxtLookup({ timeoutMs, servers: dnsServersFrom(env[ENV.dnsServers]) }),
    http: new FetchProbe(),
    templates: () => app.templates(),
  };
}
