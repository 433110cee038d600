// Installs the test homeserver (Synapse from PyPI, pinned) into a virtualenv under .cache/.
// Plain JavaScript so that test/integration/setup.mjs can run it before tsx is in play; the
// TypeScript harness imports it through install.d.mts.
//
// Created on first use, reused after: a marker file written last records the pinned version, so an
// interrupted install or a version bump starts over from an empty folder.
import { existsSync, mkdirSync, rmSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The Synapse release the integration tests run against. Bump deliberately, never a range. */
export const SYNAPSE_VERSION = '1.163.2';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const venvDir = join(repoRoot, '.cache', 'synapse-venv');
export const outputDir = join(repoRoot, 'test-output', 'synapse');
const marker = join(venvDir, 'crosscheck-synapse.json');

/** Path of the virtualenv's Python (the one that runs Synapse). */
export function venvPython() {
  return process.platform === 'win32' ? join(venvDir, 'Scripts', 'python.exe') : join(venvDir, 'bin', 'python');
}

/** True when the virtualenv holds the pinned Synapse (marker present and matching). */
export function synapseInstalled() {
  if (!existsSync(marker) || !existsSync(venvPython())) return false;
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    return m.synapse === SYNAPSE_VERSION;
  } catch {
    return false;
  }
}

function hostPython() {
  const candidates = [process.env.CROSSCHECK_PYTHON, 'python3', 'python'].filter(Boolean);
  for (const c of candidates) {
    const r = spawnSync(c, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (r.status === 0) {
      const [major, minor] = r.stdout.trim().split('.').map(Number);
      if (major === 3 && minor >= 10) return { cmd: c, version: r.stdout.trim() };
      throw new Error(`${c} is Python ${r.stdout.trim()}; Synapse ${SYNAPSE_VERSION} needs Python 3.10 or newer (set CROSSCHECK_PYTHON to another interpreter)`);
    }
  }
  throw new Error('no Python 3 found (tried ' + candidates.join(', ') + '); the integration tests need Python 3.10+ with pip to install Synapse');
}

function run(cmd, args, logStream) {
  return new Promise((resolve) => {
    logStream.write(`\n$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' } });
    let tail = '';
    const keep = (chunk) => {
      logStream.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => resolve({ status: -1, tail: String(e) }));
    child.on('close', (status) => resolve({ status, tail }));
  });
}

/**
 * Makes sure the pinned Synapse is installed; installs it when not.
 * @param {{ log?: (line: string) => void }} [opts]
 * @returns {Promise<{ installed: boolean, seconds: number, python: string }>} installed = this call did the install
 */
export async function ensureSynapse(opts = {}) {
  const log = opts.log ?? ((line) => console.log(line));
  if (synapseInstalled()) return { installed: false, seconds: 0, python: venvPython() };
  const started = performance.now();
  const py = hostPython();
  mkdirSync(outputDir, { recursive: true });
  const logFile = join(outputDir, 'pip-install.log');
  const logStream = createWriteStream(logFile);
  try {
    log(`synapse: installing matrix-synapse==${SYNAPSE_VERSION} into ${venvDir} (Python ${py.version}; pip output in ${logFile})`);
    rmSync(venvDir, { recursive: true, force: true });
    mkdirSync(join(repoRoot, '.cache'), { recursive: true });
    let r = await run(py.cmd, ['-m', 'venv', venvDir], logStream);
    if (r.status !== 0) throw new Error(`could not create the virtualenv (${py.cmd} -m venv exited ${r.status}); on Debian install python3-venv.\n${r.tail}`);
    r = await run(venvPython(), ['-m', 'pip', 'install', '--no-input', `matrix-synapse==${SYNAPSE_VERSION}`], logStream);
    if (r.status !== 0) {
      rmSync(venvDir, { recursive: true, force: true });
      throw new Error(
        `pip could not install matrix-synapse==${SYNAPSE_VERSION} (exit ${r.status}). The integration tests need PyPI. ` +
          `Full log: ${logFile}. Last output:\n${r.tail.trim().split('\n').slice(-15).join('\n')}`,
      );
    }
    r = await run(venvPython(), ['-c', 'import synapse, importlib.metadata as m; print(m.version("matrix-synapse"))'], logStream);
    if (r.status !== 0 || r.tail.trim() !== SYNAPSE_VERSION) {
      throw new Error(`Synapse was installed but does not import as version ${SYNAPSE_VERSION} (got: ${r.tail.trim().slice(-300)}); see ${logFile}`);
    }
    writeFileSync(marker, JSON.stringify({ synapse: SYNAPSE_VERSION, python: py.version, installedAt: new Date().toISOString() }) + '\n');
    const seconds = (performance.now() - started) / 1000;
    log(`synapse: installed in ${seconds.toFixed(1)} s`);
    return { installed: true, seconds, python: venvPython() };
  } finally {
    logStream.end();
  }
}
