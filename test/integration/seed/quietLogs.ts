/**
 * @module seed/quietLogs — matrix-js-sdk and its Rust crypto (tracing at DEBUG) write thousands
 * of lines to `console`. Import this module before matrix-js-sdk (loglevel binds the console
 * methods when the SDK is loaded): from then on console.* goes to a log file next to Synapse's
 * logs, so a failing test can point to both, and the test output stays readable.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';

let stream: WriteStream | undefined;
let pending: string[] = [];
const MAX_PENDING = 20_000;

function sink(level: string) {
  return (...args: unknown[]) => {
    const line = `${new Date().toISOString()} ${level} ${format(...args)}\n`;
    if (stream) stream.write(line);
    else if (pending.length < MAX_PENDING) pending.push(line);
  };
}

for (const level of ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const) {
  (console as unknown as Record<string, unknown>)[level] = sink(level.toUpperCase());
}

/** Sends what the clients log (and everything logged before) to `file`. */
export function setClientLogFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  stream?.end();
  stream = createWriteStream(file, { flags: 'a' });
  for (const line of pending) stream.write(line);
  pending = [];
}

export async function closeClientLog(): Promise<void> {
  const s = stream;
  stream = undefined;
  if (s) await new Promise<void>((r) => s.end(r));
}
