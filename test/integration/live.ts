/**
 * Shared by the integration tests: one Synapse and one seeded scenario per test file, the audit
 * (waited for if a colleague has not landed it yet), and small helpers over reports.
 */
import './seed/quietLogs.ts'; // before anything loads matrix-js-sdk
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSynapse, type StartedSynapse } from './harness/synapse.ts';
import { seedScenario, type Seeded } from './seed/scenario.ts';
import { closeClientLog } from './seed/quietLogs.ts';
import { clearLeftoverTimers } from './seed/timers.ts';
import type { Report, UserReport, DeviceReport } from '../../src/core/report/types.ts';
import type { JsonValue } from '../../src/core/json/strictJson.ts';

export const note = (line: string) => process.stderr.write(`# ${line}\n`);

/** Starts Synapse and seeds it; tells where the logs are if anything fails. */
export async function startSeeded(label: string): Promise<Seeded> {
  const hs = await startSynapse({ label, log: note });
  try {
    const t0 = performance.now();
    const seeded = await seedScenario(hs, { log: note });
    note(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s (Synapse started in ${hs.startSeconds.toFixed(1)} s); logs in ${hs.logDir}`);
    return seeded;
  } catch (e) {
    await hs.stop();
    clearLeftoverTimers();
    throw new Error(`seeding failed: ${e instanceof Error ? e.message : String(e)}\n  Synapse and client logs: ${hs.logDir}`);
  }
}

export async function stopSeeded(s: Seeded | undefined, hs?: StartedSynapse): Promise<void> {
  s?.stopClients();
  await (s?.hs ?? hs)?.stop();
  await closeClientLog();
  // matrix-js-sdk leaves request timers behind that would keep this process alive for minutes.
  clearLeftoverTimers();
}

type AuditFn = (input: JsonValue, options: { now: Date; secret?: { kind: 'recovery-key' | 'passphrase'; text: Uint8Array } }) => Promise<
  { ok: true; value: Report } | { ok: false; error: { message: string } }
>;

/** The core's audit; polls for src/core/audit.ts while a colleague is still writing it (at most 10 minutes). */
export async function loadAudit(): Promise<AuditFn> {
  const file = fileURLToPath(new URL('../../src/core/audit.ts', import.meta.url));
  for (let waited = 0; !existsSync(file); waited += 10) {
    if (waited >= 600) throw new Error('src/core/audit.ts did not appear within 10 minutes');
    note('waiting for src/core/audit.ts …');
    await new Promise((r) => setTimeout(r, 10_000));
  }
  const mod = (await import('../../src/core/audit.ts')) as { audit: AuditFn };
  return mod.audit;
}

export const utf8 = (s: string) => new TextEncoder().encode(s);

export function userIn(r: Report, userId: string): UserReport {
  const u = r.users.find((x) => x.userId === userId);
  if (!u) throw new Error(`${userId} is not in the report (users: ${r.users.map((x) => x.userId).join(', ')})`);
  return u;
}

export function deviceIn(u: UserReport, deviceId: string): DeviceReport {
  const d = u.devices.find((x) => x.deviceId === deviceId);
  if (!d) throw new Error(`${u.userId}/${deviceId} is not in the report (devices: ${u.devices.map((x) => x.deviceId).join(', ')})`);
  return d;
}

export const findingsOf = (r: Report) => r.findings.map((f) => `${f.code}${f.userId ? ` ${f.userId}` : ''}${f.deviceId ? `/${f.deviceId}` : ''}`);
