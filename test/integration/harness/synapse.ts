/**
 * @module harness/synapse — starts a throw-away Synapse for the integration tests: loopback only,
 * a free port, in-memory SQLite, a random registration shared secret, Element's raised rate
 * limits. Its data lives in a temporary folder removed on stop; its logs are kept under
 * test-output/synapse/<label>/ so a failing test can point to them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureSynapse, venvPython, outputDir, SYNAPSE_VERSION } from './install.mjs';

export interface StartedSynapse {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly baseUrl: string;
  readonly port: number;
  readonly serverName: string;
  readonly sharedSecret: string;
  readonly version: string;
  /** Folder with homeserver.log, stdout.log, stderr.log. */
  readonly logDir: string;
  /** Seconds from spawn to `/_matrix/client/versions` answering. */
  readonly startSeconds: number;
  /** Stops the server and removes its data folder (logs stay). */
  stop(): Promise<void>;
}

/** Element's end-to-end test limits (element-web-playwright-common, testcontainers/synapse.ts). */
const RATE_LIMITS = {
  rc_messages_per_second: 10000,
  rc_message_burst_count: 10000,
  rc_registration: { per_second: 10000, burst_count: 10000 },
  rc_joins: { local: { per_second: 9999, burst_count: 9999 }, remote: { per_second: 9999, burst_count: 9999 } },
  rc_joins_per_room: { per_second: 9999, burst_count: 9999 },
  rc_3pid_validation: { per_second: 1000, burst_count: 1000 },
  rc_invites: { per_room: { per_second: 1000, burst_count: 1000 }, per_user: { per_second: 1000, burst_count: 1000 } },
  rc_login: {
    address: { per_second: 10000, burst_count: 10000 },
    account: { per_second: 10000, burst_count: 10000 },
    failed_attempts: { per_second: 10000, burst_count: 10000 },
  },
  rc_room_creation: { per_second: 1000, burst_count: 1000 },
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Everything alive gets killed if the test process exits without calling stop(). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export async function startSynapse(opts: { label: string; log?: (line: string) => void }): Promise<StartedSynapse> {
  const log = opts.log ?? (() => {});
  await ensureSynapse({ log });
  const python = venvPython();
  const logDir = join(outputDir, opts.label);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'crosscheck-synapse-'));
  const serverName = 'localhost';
  const generated = join(dataDir, 'homeserver.yaml');

  const gen = spawnSync(
    python,
    ['-m', 'synapse.app.homeserver', '--generate-config', '--server-name', serverName, '--config-path', generated, '--data-directory', dataDir, '--report-stats=no'],
    { cwd: dataDir, encoding: 'utf8' },
  );
  if (gen.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`synapse --generate-config failed (exit ${gen.status}):\n${gen.stderr}`);
  }

  const port = await freePort();
  const sharedSecret = randomBytes(24).toString('hex');
  const logConfig = join(dataDir, 'log.config.yaml');
  // JSON is YAML: no YAML writer needed. Later config files override earlier ones key by key.
  writeFileSync(
    logConfig,
    JSON.stringify({
      version: 1,
      formatters: { precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s' } },
      handlers: { file: { class: 'logging.FileHandler', formatter: 'precise', filename: join(logDir, 'homeserver.log'), encoding: 'utf8' } },
      loggers: { 'synapse.storage.SQL': { level: 'WARNING' }, twisted: { level: 'WARNING' } },
      root: { level: 'INFO', handlers: ['file'] },
      disable_existing_loggers: false,
    }),
  );
  const overrides = join(dataDir, 'overrides.yaml');
  writeFileSync(
    overrides,
    JSON.stringify({
      server_name: serverName,
      public_baseurl: `http://127.0.0.1:${port}/`,
      pid_file: join(dataDir, 'homeserver.pid'),
      listeners: [{ port, tls: false, bind_addresses: ['127.0.0.1'], type: 'http', x_forwarded: false, resources: [{ names: ['client'], compress: false }] }],
      database: { name: 'sqlite3', args: { database: ':memory:' } },
      log_config: logConfig,
      media_store_path: join(dataDir, 'media_store'),
      registration_shared_secret: sharedSecret,
      enable_registration: false,
      report_stats: false,
      trusted_key_servers: [],
      suppress_key_server_warning: true,
      // Fast password hashing: every login and UIA answer hashes.
      bcrypt_rounds: 4,
      presence: { enabled: false },
      background_updates: { min_batch_size: 100000, sleep_duration_ms: 100000 },
      ...RATE_LIMITS,
    }),
  );

  const stdoutFd = openSync(join(logDir, 'stdout.log'), 'w');
  const stderrFd = openSync(join(logDir, 'stderr.log'), 'w');
  const t0 = performance.now();
  const child = spawn(python, ['-m', 'synapse.app.homeserver', '-c', generated, '-c', overrides], {
    cwd: dataDir,
    stdio: ['ignore', stdoutFd, stderrFd],
    env: { ...process.env, SYNAPSE_NO_TLS: '1' },
  });
  closeSync(stdoutFd);
  closeSync(stderrFd);
  running.add(child);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
    running.delete(child);
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && exited === undefined; i++) await sleep(100);
      if (exited === undefined) child.kill('SIGKILL');
      for (let i = 0; i < 20 && exited === undefined; i++) await sleep(100);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`Synapse exited (code ${exited}) before answering; logs in ${logDir}\n${tail(join(logDir, 'stderr.log'))}\n${tail(join(logDir, 'homeserver.log'))}`);
    }
    try {
      const r = await fetch(`${baseUrl}/_matrix/client/versions`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Synapse did not answer /_matrix/client/versions within 60 s; logs in ${logDir}\n${tail(join(logDir, 'homeserver.log'))}`);
    }
    await sleep(100);
  }
  const startSeconds = (performance.now() - t0) / 1000;
  log(`synapse ${SYNAPSE_VERSION} up at ${baseUrl} in ${startSeconds.toFixed(1)} s (logs: ${logDir})`);
  return { baseUrl, port, serverName, sharedSecret, version: SYNAPSE_VERSION, logDir, startSeconds, stop };
}
