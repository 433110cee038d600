// Finds (and, where allowed, installs) Debian's Firefox ESR, and launches it with an unpacked
// extension installed temporarily, through puppeteer-core over WebDriver BiDi (never a browser
// download: puppeteer-core brings none). Used by the Firefox end-to-end tests (test/e2e-firefox).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FIREFOX = process.env.CROSSCHECK_FIREFOX ?? '/usr/bin/firefox-esr';

/** The gecko ID build.mjs writes into dist/firefox*\/manifest.json. */
export const GECKO_ID = 'crosscheck@crosscheck.invalid';

/** Makes sure Firefox ESR is there; installs Debian's package when running as root with apt-get. */
export function ensureFirefox(log = console.log) {
  if (existsSync(FIREFOX)) return FIREFOX;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`Firefox ESR not found at ${FIREFOX}. Install Debian's "firefox-esr" package (apt-get install firefox-esr) or set CROSSCHECK_FIREFOX.`);
  }
  log('firefox: installing Debian\'s firefox-esr package (apt-get)…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'firefox-esr'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!existsSync(FIREFOX)) throw new Error(`firefox: apt-get finished but ${FIREFOX} is still missing`);
  return FIREFOX;
}

/**
 * Preferences for a quiet, closed-network run (TESTING.md) with a temporary unsigned add-on whose
 * moz-extension:// UUID we choose (`extensions.webextensions.uuids`), host permissions granted at
 * install, and every console message of web and extension contexts (pages, the background page,
 * Workers) also written to the browser's stdout (`devtools.console.stdout.content`).
 */
export function firefoxPrefs(uuid) {
  return {
    'xpinstall.signatures.required': false,
    'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
    'extensions.originControls.grantByDefault': true,
    'devtools.console.stdout.content': true,
    'devtools.console.stdout.chrome': false,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.enabled': false,
    'app.update.enabled': false,
    'extensions.update.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.newtabpage.enabled': false,
  };
}

/**
 * Launches Firefox ESR (headless by default) over WebDriver BiDi and installs `extensionDir` as a
 * temporary add-on. Returns the browser, the extension's moz-extension:// origin, the profile
 * folder (removed by `close`), and the browser process (its stdout carries console messages).
 */
export async function launchFirefoxWithExtension(extensionDir, { headless = true, uuid = crypto.randomUUID() } = {}) {
  const { default: puppeteer } = await import('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'crosscheck-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: ensureFirefox(),
    headless,
    userDataDir,
    extraPrefsFirefox: firefoxPrefs(uuid),
    defaultViewport: { width: 1100, height: 900 },
    // WebDriver BiDi refuses to navigate a tab to a moz-extension:// URL ("not allowed in this
    // context") unless the driver may reach privileged contexts; the report page is one.
    args: ['--remote-allow-system-access'],
  });
  const close = async () => {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    const id = await browser.installExtension(resolve(extensionDir));
    if (id !== GECKO_ID) throw new Error(`firefox: installed ${id}, expected ${GECKO_ID}`);
  } catch (e) {
    await close();
    throw e;
  }
  return {
    browser,
    extensionOrigin: `moz-extension://${uuid}`,
    userDataDir,
    close,
  };
}
