/** The checks that need no network: the config parses, the templates compile, the store is reachable. */
import { type Check, type CheckResult, fail, pass } from '../check';
import type { StoreProbe } from '../ports';

export const CONFIG = { id: 'config', title: 'Config' };

export function judgeConfig(origin: string, error?: Error): CheckResult {
  return error
    ? fail(
        CONFIG.id,
        CONFIG.title,
        error.message,
        'fix the key named above (README, "Configuration"); `pinboard-digest init DIR` writes a commented example',
      )
    : pass(CONFIG.id, CONFIG.title, `${origin} parses`);
}

export function templatesCheck(dir: string, compile: () => Promise<unknown>): Check {
  const fix = `correct the template named, or copy the project's templates again (pinboard-digest init DIR writes them to DIR/templates)`;
  return {
    id: 'templates',
    title: 'Templates',
    fix,
    run: () =>
      compile().then(
        () => pass('templates', 'Templates', `${dir} compiles (MJML and Handlebars)`),
        (error: Error) => fail('templates', 'Templates', error.message, fix),
      ),
  };
}

export function storeCheck(kind: 'file' | 'dynamodb', where: string, probe: StoreProbe): Check {
  const fix =
    kind === 'file'
      ? `make ${where} a folder you can write to, or choose another with --state DIR (or DIGEST_STATE_DIR)`
      : `check that the table ${where} exists in AWS_REGION and the credentials may read it (deploy the data stack first)`;
  return {
    id: 'store',
    title: 'Store',
    fix,
    run: (signal) =>
      probe.reach(signal).then(
        (what) => pass('store', 'Store', what),
        (error: Error) => {
          const code = (error as NodeJS.ErrnoException).code ?? error.name;
          return fail(
            'store',
            'Store',
            `${kind === 'file' ? where : `DynamoDB table ${where}`}: ${code && code !== 'Error' ? `${code}: ` : ''}${error.message}`,
            fix,
          );
        },
      ),
  };
}
