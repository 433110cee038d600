/**
 * @module homeserver/retryAfter — how long a 429 asks us to wait: the `Retry-After` header
 * (delta-seconds or an HTTP date) is preferred; the deprecated body field `retry_after_ms` is the
 * fallback (matrix-crypto.md §6). Returns undefined when neither is usable.
 */
export function retryAfterMs(header: string | null, body: unknown, now: Date): number | undefined {
  if (header !== null) {
    const h = header.trim();
    if (/^\d{1,9}$/.test(h)) return Number(h) * 1000;
    if (/[A-Za-z]/.test(h)) {
      const t = Date.parse(h);
      if (Number.isFinite(t)) return Math.max(0, t - now.getTime());
    }
  }
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const ms = (body as Record<string, unknown>)['retry_after_ms'];
    if (typeof ms === 'number' && Number.isSafeInteger(ms) && ms >= 0) return ms;
  }
  return undefined;
}
