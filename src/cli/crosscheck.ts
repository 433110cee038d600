/**
 * @module cli/crosscheck — process entry point: wires real stdio, environment and clock into run().
 */
import { run } from './main.ts';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const out = new Uint8Array(Buffer.concat(chunks));
  for (const c of chunks) c.fill(0);
  return out;
}

const code = await run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin,
  env: process.env,
  now: () => new Date(),
});
process.exitCode = code;
