/**
 * @module signatureBatch — gathers every signature an audit needs, verifies them in one batch
 * through the Ed25519 policy, and answers "what state is this signature in?".
 *
 * Each signed object is canonicalised once, however many signatures it carries (a master key may
 * be signed by itself, a device and our user-signing key). Objects the canonicaliser refuses
 * (floats, unsafe integers, lone surrogates) give `unverifiable`: never valid (security B4).
 */
import { utf8 } from '../bytes.ts';
import { signingInput } from '../json/canonicalJson.ts';
import type { JsonObject } from '../json/strictJson.ts';
import { type BatchVerifier, type SignatureCheck, type SignatureVerdict, verifySignatures } from '../crypto/ed25519Policy.ts';
import { findSignature } from './signatures.ts';

/** The state of one expected signature. Only `valid` counts for anything. */
export type SigState = 'missing' | 'malformed' | 'unverifiable' | 'key-rejected' | 'invalid' | 'valid';

/** A handle to a signature requested from the batch. */
export type SigHandle = number & { readonly __sigHandle: true };

type Pending = { kind: 'settled'; state: SigState } | { kind: 'check'; index: number };

export class SignatureBatch {
  private readonly inputs = new WeakMap<JsonObject, Uint8Array | null>();
  private readonly pending: Pending[] = [];
  private readonly checks: SignatureCheck[] = [];
  private verdicts: SignatureVerdict[] | undefined;
  private readonly verify: BatchVerifier;

  /** @param verify the policy verifier (noble by default; see ed25519Policy.policyVerifier) */
  constructor(verify: BatchVerifier = verifySignatures) {
    this.verify = verify;
  }

  /**
   * Asks for `obj.signatures[signer][keyId]` to be checked against `publicKey`.
   * @returns a handle to read the state after {@link run}.
   */
  request(obj: JsonObject, signer: string, keyId: string, publicKey: Uint8Array): SigHandle {
    if (this.verdicts) throw new TypeError('SignatureBatch: request() after run()');
    const handle = this.pending.length as SigHandle;
    const sig = findSignature(obj, signer, keyId);
    if (sig.state !== 'present') {
      this.pending.push({ kind: 'settled', state: sig.state === 'missing' ? 'missing' : 'malformed' });
      return handle;
    }
    let message = this.inputs.get(obj);
    if (message === undefined) {
      const text = signingInput(obj);
      message = text.ok ? utf8(text.value) : null;
      this.inputs.set(obj, message);
    }
    if (message === null) {
      this.pending.push({ kind: 'settled', state: 'unverifiable' });
      return handle;
    }
    this.pending.push({ kind: 'check', index: this.checks.length });
    this.checks.push({ publicKey, message, signature: sig.bytes });
    return handle;
  }

  /** Number of signatures that will actually be verified. */
  get size(): number {
    return this.checks.length;
  }

  /** Verifies everything requested so far. */
  async run(): Promise<void> {
    this.verdicts = await this.verify(this.checks);
  }

  state(handle: SigHandle): SigState {
    const p = this.pending[handle];
    if (!p) throw new RangeError('SignatureBatch: unknown handle');
    if (p.kind === 'settled') return p.state;
    if (!this.verdicts) throw new TypeError('SignatureBatch: state() before run()');
    const v = this.verdicts[p.index];
    if (!v) throw new RangeError('SignatureBatch: missing verdict');
    switch (v.state) {
      case 'valid':
        return 'valid';
      case 'invalid':
        return 'invalid';
      case 'key-rejected':
        return 'key-rejected';
    }
  }
}
