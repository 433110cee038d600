/**
 * @module seed/timers — matrix-js-sdk 37's fetch time limit is a ponyfill whose setTimeout is
 * never cleared (http-api/utils.js `timeoutSignal`): every /sync leaves a ~110 s timer behind, so
 * a test process that has stopped its clients still cannot exit for minutes. This module records
 * the timers created from the moment it is loaded; {@link clearLeftoverTimers} clears the ones
 * still pending once every client is stopped. Node's own internals (and node:test) are unaffected:
 * they hold their own references to the timer functions.
 */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;
const pending = new Set<ReturnType<typeof realSetTimeout>>();
const intervals = new Set<ReturnType<typeof realSetInterval>>();

const patchedSetTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const t = realSetTimeout(
    (...a: unknown[]) => {
      pending.delete(t);
      fn(...a);
    },
    ms,
    ...args,
  );
  pending.add(t);
  return t;
}) as unknown as typeof setTimeout;
Object.assign(patchedSetTimeout, realSetTimeout); // keeps util.promisify's custom symbol
globalThis.setTimeout = patchedSetTimeout;
globalThis.clearTimeout = ((t?: Parameters<typeof realClearTimeout>[0]) => {
  if (t !== undefined) pending.delete(t as ReturnType<typeof realSetTimeout>);
  realClearTimeout(t);
}) as typeof clearTimeout;
globalThis.setInterval = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const t = realSetInterval(fn, ms, ...args);
  intervals.add(t);
  return t;
}) as unknown as typeof setInterval;
globalThis.clearInterval = ((t?: Parameters<typeof realClearInterval>[0]) => {
  if (t !== undefined) intervals.delete(t as ReturnType<typeof realSetInterval>);
  realClearInterval(t);
}) as typeof clearInterval;

/** Clears every timer and interval still pending. Call only after all clients are stopped. */
export function clearLeftoverTimers(): number {
  const n = pending.size + intervals.size;
  for (const t of pending) realClearTimeout(t);
  for (const t of intervals) realClearInterval(t);
  pending.clear();
  intervals.clear();
  return n;
}
