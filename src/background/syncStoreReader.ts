/**
 * @module background/syncStoreReader — the injected sync-store reader's answer
 * (sources/clientStorage/syncStore/readSyncStore.ts) as the orchestrator's `SyncStoreInput`:
 * the dump as JSON text (validated later, in the Worker, by the decoder), or why there is none.
 */
import type { SyncStoreInput } from './orchestrator.ts';

export function syncStoreInput(result: unknown): SyncStoreInput {
  if (!result || typeof result !== 'object') return { unavailable: 'the sync store could not be read' };
  const r = result as { ok?: unknown; value?: unknown; error?: { message?: unknown } };
  if (r.ok === true && r.value !== undefined) return { dumpJson: JSON.stringify(r.value) };
  const why = typeof r.error?.message === 'string' ? r.error.message.slice(0, 500) : 'the sync store could not be read';
  return { unavailable: why };
}
