/**
 * Reads the shared test vectors (../shared/vectors beside the repo; see test/vectors/README.md).
 * They are read in place, never copied into the repo.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../../shared/vectors/', import.meta.url);

export function readSharedVector<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(relative, root)), 'utf8')) as T;
}

export function readRepoJson<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../../${relative}`, import.meta.url)), 'utf8')) as T;
}
