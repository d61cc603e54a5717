/**
 * The one way tests get a headless Chromium, on any machine after `npm ci`. In this order:
 * `CHROMIUM_PATH`, Debian's `/usr/bin/chromium` (what `.ci/run` installs), then the npm package
 * `@sparticuz/chromium` (a devDependency), unpacked once into the temp dir. A test that needs a browser and
 * finds none fails with how to get one; it is never skipped.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, and quiet on the network of its own accord (no QUIC probes, component updates, sync or
 * first-run fetches), so that a test can count the requests a page makes.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const HOW_TO_GET_CHROMIUM =
  'run `npm ci` (it installs the npm package @sparticuz/chromium), or `apt-get install -y chromium`, ' +
  'or set CHROMIUM_PATH to a Chromium or Chrome executable';

export interface FoundChromium {
  executablePath: string;
  args: string[];
  /** Where it came from, for messages. */
  source: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @sparticuz/chromium unpacks to `<tmp>/chromium` and trusts any file already there, even one half written
 * by a process that is still unpacking (jest runs test files in parallel) or was killed. So one process at a
 * time unpacks, under a lock directory, and a marker naming the package version says the unpack finished.
 */
async function unpackSparticuz(): Promise<FoundChromium> {
  const { default: sparticuz } = await import('@sparticuz/chromium');
  const packageDir = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '../..');
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  sparticuz.setGraphicsMode = false; // with --disable-gpu: --disable-webgl rather than SwiftShader's GL flags
  const tmp = tmpdir();
  const binary = path.join(tmp, 'chromium');
  const marker = path.join(tmp, `chromium-sparticuz-${version}.unpacked`);
  const lock = path.join(tmp, 'chromium-sparticuz.lock');
  const found = {
    executablePath: binary,
    // --single-process is for Lambda (prctl fails there); here it makes the browser exit when a context closes.
    args: [...sparticuz.args.filter((flag) => flag !== '--single-process'), ...CHROMIUM_FLAGS],
    source: `@sparticuz/chromium ${version}`,
  };
  if (existsSync(marker) && existsSync(binary)) return found;

  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed process: unpacking takes seconds, so a lock minutes old is abandoned.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 120_000) rmSync(lock, { force: true, recursive: true });
      if (Date.now() > deadline) throw new Error(`waited 3 minutes for ${lock} (another test unpacking Chromium)`);
      await sleep(200);
    }
  }
  try {
    if (!(existsSync(marker) && existsSync(binary))) {
      // Whatever is there was not finished by this version: unpack afresh.
      rmSync(binary, { force: true });
      rmSync(path.join(tmp, 'fonts'), { force: true, recursive: true });
      const unpacked = await sparticuz.executablePath();
      if (unpacked !== binary) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, expected ${binary}`);
      writeFileSync(marker, `${new Date().toISOString()}\n`);
    }
  } finally {
    rmSync(lock, { force: true, recursive: true });
  }
  return found;
}

/** Finds a Chromium to launch, or throws saying how to get one. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium> {
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv))
      throw new Error(`CHROMIUM_PATH is ${fromEnv}, which does not exist: unset it or ${HOW_TO_GET_CHROMIUM}`);
    return { executablePath: fromEnv, args: CHROMIUM_FLAGS, source: `CHROMIUM_PATH (${fromEnv})` };
  }
  if (existsSync(DEBIAN_CHROMIUM)) {
    return { executablePath: DEBIAN_CHROMIUM, args: CHROMIUM_FLAGS, source: DEBIAN_CHROMIUM };
  }
  try {
    return await unpackSparticuz();
  } catch (cause) {
    throw new Error(
      `no Chromium for the browser tests: CHROMIUM_PATH is unset, ${DEBIAN_CHROMIUM} is missing and ` +
        `@sparticuz/chromium could not be unpacked (${(cause as Error).message}). To fix: ${HOW_TO_GET_CHROMIUM}.`,
      { cause },
    );
  }
}

/** Launches the Chromium that {@link findChromium} finds; a failure names the browser and the fix. */
export async function launchChromium(): Promise<Browser> {
  const found = await findChromium();
  try {
    return await playwright.launch({ executablePath: found.executablePath, args: found.args, timeout: 60_000 });
  } catch (cause) {
    throw new Error(
      `Chromium from ${found.source} did not start: ${(cause as Error).message.split('\n')[0]}. To fix: ${HOW_TO_GET_CHROMIUM}.`,
      { cause },
    );
  }
}

export interface OpenedHtml {
  page: Page;
  /** Every URL the page asked for beyond `data:` ones; each was refused, so nothing left the machine. */
  requests: string[];
  close: () => Promise<void>;
}

/** Opens `html` in a page of its own (viewport, colour scheme), recording and refusing every request it makes. */
export async function openHtml(
  browser: Browser,
  html: string,
  options: { width: number; height?: number; colorScheme?: 'light' | 'dark' },
): Promise<OpenedHtml> {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('data:')) requests.push(request.url());
  });
  await page.route('**/*', (route) => route.abort());
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests, close: () => context.close() };
}
