#!/usr/bin/env node
// `npm start`: builds, then opens Chromium with the extension loaded on its report page with the
// embedded demo account (a realistic account with problems), so a newcomer sees it work at once.
// Without a display (CI, SSH), pass --headless: it takes a screenshot instead and says where.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { launchWithExtension } from './chromium.mjs';

const headless = process.argv.includes('--headless') || (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && process.platform === 'linux');
const built = spawnSync(process.execPath, ['build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const { context, extensionId } = await launchWithExtension('dist/chrome', { headless });
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(`chrome-extension://${extensionId}/popup.html?view=page&demo=1`);
if (headless) {
  await page.waitForSelector('[data-state="done"]', { timeout: 30_000 }).catch(() => undefined);
  mkdirSync('test-output', { recursive: true });
  await page.screenshot({ path: 'test-output/start-demo.png', fullPage: true });
  console.log('start: no display, so Chromium ran headless; the demo report is in test-output/start-demo.png');
  await context.close();
} else {
  console.log(`start: Chromium is open with Crosscheck (extension ${extensionId}) on the demo account. Close the window to stop.`);
  await new Promise((resolve) => context.on('close', resolve));
}
