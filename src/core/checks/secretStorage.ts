/**
 * @module checks/secretStorage — secret storage and recovery-key findings. The secret-storage
 * audit (src/core/secretStorage/audit.ts) decides them while it still holds the key material;
 * this check only passes them on, so the registry lists every source of findings.
 */
import type { Check } from './check.ts';

export const secretStorage: Check = {
  id: 'secret-storage',
  title: 'Secret storage holds your keys, and your recovery key opens it',
  run: ({ secretFindings }) => [...secretFindings],
};
