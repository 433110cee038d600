#!/usr/bin/env node
// Run by test/run.mjs before the integration suite: installs the pinned Synapse into
// .cache/synapse-venv the first time (about 20 s with a warm pip cache), reuses it after.
import { ensureSynapse, synapseInstalled, SYNAPSE_VERSION, venvDir } from './harness/install.mjs';

if (synapseInstalled()) {
  console.log(`integration setup: Synapse ${SYNAPSE_VERSION} already installed in ${venvDir}`);
} else {
  try {
    await ensureSynapse({ log: (line) => console.log(`integration setup: ${line}`) });
  } catch (e) {
    console.error(`integration setup: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
