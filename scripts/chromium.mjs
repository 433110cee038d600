// Finds (and, where allowed, installs) Debian's Chromium, and launches it with an unpacked
// extension loaded, through playwright-core (never `playwright install`: it downloads).
// Used by `npm start` and by the end-to-end tests.
import { existsSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CHROMIUM = process.env.CROSSCHECK_CHROMIUM ?? '/usr/bin/chromium';

/** Makes sure Chromium is there; installs Debian's package when running as root with apt-get. */
export function ensureChromium(log = console.log) {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install Debian's "chromium" package (apt-get install chromium) or set CROSSCHECK_CHROMIUM.`);
  }
  log('chromium: installing Debian\'s chromium package (apt-get)…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!existsSync(CHROMIUM)) throw new Error('chromium: apt-get finished but /usr/bin/chromium is still missing');
  return CHROMIUM;
}

/** Flags that keep a closed network quiet (TESTING.md) and load only our extension. */
export function chromiumArgs(extensionDir) {
  const dir = resolve(extensionDir);
  return [
    `--disable-extensions-except=${dir}`,
    `--load-extension=${dir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--disable-gpu',
    ...(typeof process.getuid === 'function' && process.getuid() === 0 ? ['--no-sandbox'] : []),
  ];
}

/**
 * Launches Chromium with the extension and returns the context and the extension's ID (read
 * from its service worker's URL).
 */
export async function launchWithExtension(extensionDir, { headless = true, userDataDir } = {}) {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(userDataDir ?? mkdtempSync(join(tmpdir(), 'crosscheck-chromium-')), {
    executablePath: ensureChromium(),
    headless,
    args: [...chromiumArgs(extensionDir), ...(headless ? ['--headless=new'] : [])],
    viewport: { width: 1100, height: 900 },
  });
  let [worker] = context.serviceWorkers();
  worker ??= await context.waitForEvent('serviceworker', { timeout: 20_000 });
  const extensionId = new URL(worker.url()).host;
  return { context, extensionId, serviceWorker: worker };
}
