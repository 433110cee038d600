/**
 * @module background/clientStoreReader — which of the client's crypto stores the click reads, and
 * how the reader's answer becomes the Worker's `clientStore` input (src/protocol/worker.ts).
 * client-storage.md §4 "Which stack is in use": a rust store (`<prefix>::matrix-sdk-crypto`) is
 * the client's current one; only when the rust reader says the page has none (`no-store`) is the
 * legacy libolm store (`matrix-js-sdk:crypto`) read, and its dump is tagged `kind: 'legacy'`.
 *
 * Both readers are injected functions (scripting.executeScript `func`); `inject` runs one in the
 * tab and returns what it returned (or throws). Never fails: an unreadable store says why. The
 * pickle key in the result is a secret that only the Worker uses.
 */
import type { ClientStoreInput } from '../protocol/worker.ts';

/** Runs `func` in the tab's top frame (isolated world) and returns its result. */
export type Inject = (func: () => Promise<unknown>) => Promise<unknown>;

export interface ClientStoreReaders {
  readonly rust: () => Promise<unknown>;
  readonly legacy: () => Promise<unknown>;
}

type ReaderAnswer =
  | { readonly ok: true; readonly pickleKey?: string; readonly dumpJson: string }
  | { readonly ok: false; readonly code?: string; readonly message?: string };

/** A reader's JSON answer, checked loosely (the Worker validates the dump itself). */
function answer(r: unknown): ReaderAnswer | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const o = r as { ok?: unknown; value?: { pickleKey?: unknown; dump?: unknown }; error?: { code?: unknown; message?: unknown } };
  if (o.ok === true) {
    const pickleKey = typeof o.value?.pickleKey === 'string' ? o.value.pickleKey : undefined;
    return { ok: true, dumpJson: JSON.stringify(o.value?.dump ?? null), ...(pickleKey ? { pickleKey } : {}) };
  }
  return {
    ok: false,
    ...(typeof o.error?.code === 'string' ? { code: o.error.code } : {}),
    ...(typeof o.error?.message === 'string' ? { message: o.error.message.slice(0, 500) } : {}),
  };
}

const UNREADABLE = 'the client store could not be read';

export async function readClientStoreInTab(inject: Inject, readers: ClientStoreReaders): Promise<ClientStoreInput> {
  let rust: ReaderAnswer | undefined;
  try {
    // Read-only, like the session reader: listed databases only, no version, closed at once.
    rust = answer(await inject(readers.rust));
  } catch {
    return { unavailable: `${UNREADABLE} on this page` };
  }
  if (!rust) return { unavailable: UNREADABLE };
  if (rust.ok) return { kind: 'rust', dumpJson: rust.dumpJson, ...(rust.pickleKey ? { pickleKey: rust.pickleKey } : {}) };
  const rustWhy = rust.message ?? UNREADABLE;
  if (rust.code !== 'no-store') return { unavailable: rustWhy };

  // No rust store: an old client may still be on the legacy libolm store (§4 case 2, or leftovers: case 3).
  let legacy: ReaderAnswer | undefined;
  try {
    legacy = answer(await inject(readers.legacy));
  } catch {
    return { unavailable: rustWhy };
  }
  if (!legacy) return { unavailable: rustWhy };
  if (legacy.ok) return { kind: 'legacy', dumpJson: legacy.dumpJson, ...(legacy.pickleKey ? { pickleKey: legacy.pickleKey } : {}) };
  // Neither store: the rust reader's words say it best. A legacy store that exists but failed: say that.
  if (legacy.code === 'no-store') return { unavailable: rustWhy };
  return { unavailable: `no rust crypto store, and the legacy (libolm) store could not be read: ${legacy.message ?? UNREADABLE}`.slice(0, 1000) };
}
