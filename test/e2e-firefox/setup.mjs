#!/usr/bin/env node
// Run by test/run.mjs before the Firefox end-to-end suite: builds the test extension
// (dist/firefox-test, build.mjs --test-build), makes sure Debian's Firefox ESR is there (installs
// it with apt-get when running as root), installs the pinned Synapse through the integration
// harness's installer, and bundles the test page (the Chromium suite's, test/e2e/page) into
// test-output/e2e/page/.
import { spawnSync } from 'node:child_process';
import { ensureFirefox } from '../../scripts/firefox.mjs';
import { ensureSynapse, synapseInstalled, SYNAPSE_VERSION, venvDir } from '../integration/harness/install.mjs';
import { bundleTestPage, pageBundle } from '../e2e/page/bundle.mjs';

const log = (line) => console.log(`e2e-firefox setup: ${line}`);
try {
  const built = spawnSync(process.execPath, ['build.mjs', '--only', 'firefox', '--test-build'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`node build.mjs --only firefox --test-build exited ${built.status}`);
  const t0 = performance.now();
  const firefox = ensureFirefox(log);
  log(`firefox-esr at ${firefox} (${((performance.now() - t0) / 1000).toFixed(1)} s to find or install)`);
  if (synapseInstalled()) log(`Synapse ${SYNAPSE_VERSION} already installed in ${venvDir}`);
  else await ensureSynapse({ log });
  log(`test page bundled: ${pageBundle} (${((await bundleTestPage()) / 1024 / 1024).toFixed(1)} MiB)`);
} catch (e) {
  console.error(`e2e-firefox setup: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
