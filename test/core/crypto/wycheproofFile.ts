/**
 * Test helper: reads a Wycheproof vector file from the shared vectors folder at test time
 * (`<repo>/../shared/vectors/wycheproof/`, C2SP/wycheproof testvectors_v1, see its README there).
 * The files are never copied into this repository.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const wycheproofDir = join(repoRoot, '..', 'shared', 'vectors', 'wycheproof');

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}
export interface WycheproofGroup {
  tests: WycheproofTest[];
  [field: string]: unknown;
}
export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

export function readWycheproof(name: string): WycheproofFile {
  return JSON.parse(readFileSync(join(wycheproofDir, name), 'utf8')) as WycheproofFile;
}

export const hex = (s: unknown): Uint8Array => Uint8Array.from(Buffer.from(String(s), 'hex'));
