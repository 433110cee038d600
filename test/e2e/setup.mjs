#!/usr/bin/env node
// Run by test/run.mjs before the end-to-end suite: builds the test extension (dist/chrome-test,
// build.mjs --test-build), makes sure Debian's Chromium is there (installs it with apt-get when
// running as root), installs the pinned Synapse through the integration harness's installer, and
// bundles the test page (matrix-js-sdk for the browser) into test-output/e2e/page/.
import { spawnSync } from 'node:child_process';
import { ensureChromium } from '../../scripts/chromium.mjs';
import { ensureSynapse, synapseInstalled, SYNAPSE_VERSION, venvDir } from '../integration/harness/install.mjs';
import { bundleTestPage, pageBundle } from './page/bundle.mjs';

const log = (line) => console.log(`e2e setup: ${line}`);
try {
  const built = spawnSync(process.execPath, ['build.mjs', '--only', 'chrome', '--test-build'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`node build.mjs --only chrome --test-build exited ${built.status}`);
  log(`chromium at ${ensureChromium(log)}`);
  if (synapseInstalled()) log(`Synapse ${SYNAPSE_VERSION} already installed in ${venvDir}`);
  else await ensureSynapse({ log });
  log(`test page bundled: ${pageBundle} (${((await bundleTestPage()) / 1024 / 1024).toFixed(1)} MiB)`);
} catch (e) {
  console.error(`e2e setup: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
