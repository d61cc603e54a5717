/**
 * docs/configuration.md, generated from the config schema (`configSchema` in lambda/config.ts): every key with
 * its type, allowed values or range, default and what it does (the schema's `.describe()` / `.meta()`).
 * `npm run docs:config` (`npx tsx tests/docs/config-reference.ts --write`) writes the file;
 * tests/unit/config-reference.test.ts fails when the file and the schema differ.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { configSchema } from '../../lambda/config';

export const REFERENCE_FILE = path.resolve(__dirname, '../../docs/configuration.md');

type Schema = z.core.$ZodType;

/** The parts of a zod 4 definition the walk reads (`schema._zod.def`). */
interface Def {
  type: string;
  innerType?: Schema;
  defaultValue?: unknown;
  shape?: Record<string, Schema>;
  options?: Schema[];
  discriminator?: string;
  element?: Schema;
  entries?: Record<string, string | number>;
  values?: unknown[];
  format?: string;
  protocol?: RegExp;
  checks?: { _zod: { def: Check } }[];
}

interface Check {
  check: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: RegExp;
}

/** What the schema says about a key beyond its type: `description`, and `unset` for what applies when it is left out. */
interface Meta {
  description?: string;
  unset?: string;
}

export interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

const defOf = (schema: Schema) => schema._zod.def as unknown as Def;
const checksOf = (schema: Schema) => (defOf(schema).checks ?? []).map((c) => c._zod.def);
const code = (value: unknown) => `\`${JSON.stringify(value)}\``;

/** A key's schema without its optional/default/prefault wrappers, and what those wrappers said. */
function unwrap(schema: Schema) {
  const meta: Meta = {};
  let optional = false;
  let fallback: { value: unknown } | undefined;
  let prefault = false;
  let inner = schema;
  for (;;) {
    const found = (z.globalRegistry.get(inner) ?? {}) as Meta;
    meta.description ??= found.description;
    meta.unset ??= found.unset;
    const def = defOf(inner);
    if (def.type === 'optional') optional = true;
    else if (def.type === 'default') fallback ??= { value: def.defaultValue };
    else if (def.type === 'prefault') prefault = true;
    else return { inner, meta, optional, fallback, prefault };
    inner = def.innerType as Schema;
  }
}

/** "from 1 to 5", "at least 1", "over 0, at most 365": a range as checks give it. */
function range(min?: { value: number; inclusive: boolean }, max?: { value: number; inclusive: boolean }): string {
  if (min?.inclusive && max?.inclusive) return `from ${min.value} to ${max.value}`;
  const low = min && `${min.inclusive ? 'at least' : 'over'} ${min.value}`;
  const high = max && `${max.inclusive ? 'at most' : 'under'} ${max.value}`;
  return [low, high].filter(Boolean).join(', ');
}

/** A string's or a list's length: "1 to 200 characters", "at most 2000 characters", "at least 1 character". */
function lengthRange(schema: Schema, one: string, many: string): string {
  const min = checksOf(schema).find((c) => c.check === 'min_length')?.minimum;
  const max = checksOf(schema).find((c) => c.check === 'max_length')?.maximum;
  const bounds = range(
    min === undefined ? undefined : { value: min, inclusive: true },
    max === undefined ? undefined : { value: max, inclusive: true },
  ).replace(/^from /, '');
  if (!bounds) return '';
  return `${bounds} ${bounds.endsWith(' 1') ? one : many}`;
}

function orList(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** The type of a value, with its allowed values or range, in words. */
export function typeOf(schema: Schema): string {
  const { inner } = unwrap(schema);
  const def = defOf(inner);
  switch (def.type) {
    case 'string': {
      const pattern = checksOf(inner).find((c) => c.format === 'regex')?.pattern;
      if (def.format === 'url') return def.protocol?.source === '^https?$' ? 'http(s) URL' : 'URL';
      if (def.format === 'email') return 'email address';
      if (pattern) return `text matching \`${pattern.source}\``;
      const length = lengthRange(inner, 'character', 'characters');
      return length ? `text of ${length}` : 'text';
    }
    case 'number': {
      const whole = checksOf(inner).some((c) => c.check === 'number_format' && c.format === 'safeint');
      const bound = (check: string) => {
        const c = checksOf(inner).find((x) => x.check === check);
        return c?.value === undefined ? undefined : { value: c.value, inclusive: c.inclusive ?? false };
      };
      const limits = range(bound('greater_than'), bound('less_than'));
      return `${whole ? 'whole number' : 'number'}${limits ? `, ${limits}` : ''}`;
    }
    case 'boolean':
      return '`true` or `false`';
    case 'enum':
      return orList(Object.values(def.entries ?? {}).map(code));
    case 'literal':
      return orList((def.values ?? []).map(code));
    case 'array': {
      const length = lengthRange(inner, 'entry', 'entries');
      const element = typeOf(def.element as Schema).replace(/^object$/, 'objects');
      return `list of ${element}${length ? ` (${length})` : ''}`;
    }
    case 'object':
      return 'object';
    case 'union': {
      if (def.discriminator) return `object, by \`${def.discriminator}\``;
      const options = def.options ?? [];
      // `X` or a list of `X`: one source, or several.
      const single = options.find((o) => options.some((l) => defOf(l).type === 'array' && defOf(l).element === o));
      const list = options.find((l) => single && defOf(l).element === single);
      if (single && list && options.length === 2) {
        return `${typeOf(single)}, or a list of them (${lengthRange(list, 'entry', 'entries')})`;
      }
      return orList(options.map(typeOf));
    }
    default:
      throw new Error(`the config reference cannot describe a zod "${def.type}" yet`);
  }
}

function defaultOf(key: string, schema: Schema): string {
  const { meta, optional, fallback, prefault } = unwrap(schema);
  if (fallback) return code(fallback.value);
  if (prefault) return "each key's default";
  if (meta.unset) return meta.unset;
  if (optional) return 'not set';
  if (key.length) return '**required**';
  return '';
}

function described(key: string, schema: Schema, prefix = ''): string {
  const { description } = unwrap(schema).meta;
  if (!description) throw new Error(`config key ${key} has no description in lambda/config.ts (.describe())`);
  return prefix + description;
}

/** The keys inside a value: an object's fields, each variant's (`type` first), a list's entries'. */
export function rowsOf(key: string, schema: Schema, prefix = ''): Row[] {
  const { inner } = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'object') {
    return Object.entries(def.shape ?? {}).flatMap(([name, field]) => {
      const fieldKey = `${key}.${name}`;
      const own: Row = {
        key: fieldKey,
        type: typeOf(field),
        default: defaultOf(fieldKey, field),
        description: described(fieldKey, field, prefix),
      };
      return [own, ...rowsOf(fieldKey, field, prefix)];
    });
  }
  if (def.type === 'array') return rowsOf(`${key}[]`, def.element as Schema, prefix);
  if (def.type !== 'union') return [];
  if (!def.discriminator) {
    // A list of the same union (`source`) adds no keys of its own.
    const seen = new Set<Schema>();
    return (def.options ?? []).flatMap((option) => {
      const element = defOf(option).type === 'array' ? (defOf(option).element as Schema) : option;
      if (seen.has(element)) return [];
      seen.add(element);
      return rowsOf(key, element, prefix);
    });
  }
  const tag = def.discriminator;
  const variants = (def.options ?? []).map((option) => {
    const shape = defOf(option).shape ?? {};
    const discriminator = shape[tag] as Schema;
    const value = (defOf(discriminator).values ?? [])[0];
    return { option, shape, discriminator, value };
  });
  const tagRow: Row = {
    key: `${key}.${tag}`,
    type: orList(variants.map((v) => code(v.value))),
    default: '**required**',
    description:
      prefix + variants.map((v) => `${code(v.value)}: ${described(`${key}.${tag}`, v.discriminator)}`).join(' '),
  };
  return [
    tagRow,
    ...variants.flatMap(({ shape, value }) => {
      const rest = z.strictObject(Object.fromEntries(Object.entries(shape).filter(([name]) => name !== tag)));
      return rowsOf(key, rest, `${prefix}With ${code(value)}: `);
    }),
  ];
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(rows: Row[]): string[] {
  return [
    '| key | type | default | what it does |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`),
  ];
}

const INTRO = [
  '# Configuration',
  '',
  '<!-- Generated by `npm run docs:config` from the schema in lambda/config.ts: edit the descriptions there. -->',
  '',
  '`digest.config.json` is JSON, with `//` and `/* */` comments and trailing commas allowed (a syntax error names',
  'its line and column). It is validated when loaded: an unknown key or a bad value stops the run with the file',
  'and the key named. Paths to inputs (`source.path`, `templates`, `subscribersSeed`) are relative to the',
  'config file; output folders (`transport.dir`, `store.dir`) to the working directory. With no `--config` and',
  'no `./digest.config.json`, the embedded example (`examples/digest.config.json`) is used;',
  '`pinboard-digest init` writes a commented config of your own. On AWS the stacks set `store` and `transport`',
  '(DynamoDB, SES with the configuration set), and the functions check links unless `linkCheck.enabled` is',
  '`false`.',
  '',
  'This page is generated from the schema in `lambda/config.ts` (`npm run docs:config`), so each type, range',
  'and default below is the one the loader applies. The guide ([guide.md](guide.md)) says how the parts work',
  'together.',
];

const ENVIRONMENT = [
  '## Environment',
  '',
  '- `PINBOARD_TOKEN`: the Pinboard API token (`user:HEX`, Pinboard → Settings → Password), for a',
  '  `pinboard-api` source.',
  '- `DIGEST_SIGNING_SECRET`: the HMAC key for unsubscribe and confirm tokens, at least 32 characters',
  '  (`openssl rand -base64 48`); required with SES. With the outbox and no secret, a random key is kept in the',
  '  state folder (`signing.key`). Several keys separated by spaces rotate it',
  '  ([Readers join and leave](guide.md#rotating-the-signing-key)).',
  "- `PINBOARD_API_URL`, `PINBOARD_FEEDS_URL`: another Pinboard API or feeds server (the tests' stand-ins).",
  '- `DIGEST_STATE_DIR` (or `--state DIR`): where the local store lives, default `.digest/`.',
  "- The AWS SDK's own `AWS_REGION`, credentials or `AWS_PROFILE`, `AWS_ENDPOINT_URL_SES`,",
  '  `AWS_ENDPOINT_URL_SESV2` (doctor) and `AWS_ENDPOINT_URL_DYNAMODB`: the same code reaches AWS or a local',
  '  server.',
  "- `DIGEST_DNS_SERVERS`: doctor's DNS servers for the SPF and DMARC lookups (`1.1.1.1`, `127.0.0.1:5353`);",
  "  default: the system's.",
  '',
  'Secrets never appear in logs or errors.',
];

/** The whole reference: the top-level keys, then a section for each key that holds keys of its own. */
export function configReference(schema: Schema = configSchema): string {
  const shape = defOf(unwrap(schema).inner).shape ?? {};
  const top: Row[] = [];
  const sections: string[] = [];
  for (const [name, field] of Object.entries(shape)) {
    const rows = rowsOf(name, field);
    const description = described(name, field);
    top.push({
      key: name,
      type: typeOf(field),
      default: defaultOf(name, field),
      description: rows.length ? `${description} Keys: [below](#${name.toLowerCase()}).` : description,
    });
    if (rows.length) sections.push('', `## ${name}`, '', description, '', ...table(rows));
  }
  return [...INTRO, '', '## Top level', '', ...table(top), ...sections, '', ...ENVIRONMENT, ''].join('\n');
}

if (require.main === module) {
  const text = configReference();
  if (process.argv.includes('--write')) {
    writeFileSync(REFERENCE_FILE, text);
    console.log(`wrote ${path.relative(process.cwd(), REFERENCE_FILE)}`);
  } else {
    process.stdout.write(text);
  }
}
