/**
 * @module json/writeJson — writes JSON (a snapshot, above all) as text without changing
 * what the server sent. `JSON.stringify` would turn the strict reader's LosslessNumber (`1.0`,
 * `1e2`, 9007199254740993) into a plain number (`1`, `100`, 9007199254740992), so a snapshot
 * saved and read back would differ from the capture — and a signed object holding such a number
 * would go from "unverifiable" to checkable against different bytes. Here those literals are
 * written exactly as received; everything else is as `JSON.stringify` writes it.
 */
import { type JsonValue, LosslessNumber, isJsonObject } from './strictJson.ts';

/** JSON text of `value`, with LosslessNumber literals written exactly as they were read. */
export function writeLosslessJson(value: JsonValue | object, indent = 0): string {
  const pad = (depth: number) => (indent > 0 ? `\n${' '.repeat(indent * depth)}` : '');
  const sep = indent > 0 ? ': ' : ':';
  const write = (v: unknown, depth: number): string => {
    if (v instanceof LosslessNumber) return v.raw;
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new TypeError('a snapshot cannot hold a non-finite number');
      return JSON.stringify(v);
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${v.map((x) => pad(depth + 1) + write(x, depth + 1)).join(',')}${pad(depth)}]`;
    }
    if (isJsonObject(v as JsonValue) || (typeof v === 'object' && v !== null)) {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return '{}';
      return `{${entries.map(([k, x]) => `${pad(depth + 1)}${JSON.stringify(k)}${sep}${write(x, depth + 1)}`).join(',')}${pad(depth)}}`;
    }
    throw new TypeError(`a snapshot cannot hold a ${typeof v}`);
  };
  return write(value, 0);
}
