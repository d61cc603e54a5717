/**
 * Which checks a config calls for, in the order doctor prints them. Pure: the probes come in ready-made
 * (probes/index.ts builds them), and each check module judges what its probe finds.
 */
import type { DigestConfig } from '../config';
import { type Check, skip } from './check';
import { dnsChecks } from './checks/dns';
import { storeCheck, templatesCheck } from './checks/local';
import { pinboardTokenChecks } from './checks/pinboard-token';
import { sesChecks } from './checks/ses';
import { judgeSigningSecret } from './checks/signing-secret';
import { siteChecks } from './checks/site';
import { sourceChecks } from './checks/sources';
import type { DnsProbe, HttpProbe, PinboardProbe, SesProbe, SourceProbe, StoreProbe } from './ports';

export interface DoctorProbes {
  store: StoreProbe;
  /** Where the store is: the folder, or the DynamoDB table. */
  storeWhere: string;
  pinboard: () => PinboardProbe[];
  /** The feed, Pinboard feed and bookmark file sources; throws what stops the sources being built. */
  sources: () => SourceProbe[];
  ses: () => SesProbe;
  dns: DnsProbe;
  http: HttpProbe;
  templates: () => Promise<unknown>;
}

export interface DoctorPlanInput {
  config: Readonly<DigestConfig>;
  templatesDir: string;
  stateDir: string;
  signingSecret: string | undefined;
  probes: DoctorProbes;
}

const notUsed = (id: string, title: string, detail: string): Check => ({
  id,
  title,
  fix: '',
  run: async () => skip(id, title, detail),
});

export function doctorChecks({ config, templatesDir, stateDir, signingSecret, probes }: DoctorPlanInput): Check[] {
  const sources = Array.isArray(config.source) ? config.source : [config.source];
  const ses = config.transport.type === 'ses';
  const outbox = 'the transport is the outbox: no mail leaves this machine';
  return [
    templatesCheck(templatesDir, probes.templates),
    {
      id: 'signing-secret',
      title: 'Signing secret',
      fix: '',
      run: async () => judgeSigningSecret(signingSecret, ses ? 'ses' : 'outbox', stateDir),
    },
    storeCheck(config.store?.type === 'dynamodb' ? 'dynamodb' : 'file', probes.storeWhere, probes.store),
    ...pinboardTokenChecks(
      sources.some((s) => s.type === 'pinboard-api'),
      probes.pinboard,
    ),
    ...sourceChecks(probes.sources),
    ...(ses
      ? sesChecks(probes.ses(), config.from, config.transport.type === 'ses' ? config.transport.maxSendRate : undefined)
      : [notUsed('ses', 'Amazon SES', outbox)]),
    ...(ses ? dnsChecks(probes.dns, config.from, true) : [notUsed('dns', 'SPF and DMARC', outbox)]),
    ...siteChecks(probes.http, config.siteUrl, ses),
  ];
}
