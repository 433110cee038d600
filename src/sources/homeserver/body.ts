/**
 * @module homeserver/body — reads a response body as UTF-8 text with a byte limit: a declared
 * Content-Length over the limit is refused before reading, and the stream is cancelled as soon as
 * the running count passes the limit (a server that lies about or omits the length cannot make
 * us buffer more than limit + one chunk).
 */
import { type Result, ok, err } from '../../core/result.ts';

export type BodyError = { readonly kind: 'too-large'; readonly bytes: number } | { readonly kind: 'bad-utf8' } | { readonly kind: 'read-failed'; readonly cause: unknown };

export async function readBodyLimited(response: Response, maxBytes: number): Promise<Result<string, BodyError>> {
  const declared = response.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return err({ kind: 'too-large', bytes: Number(declared) });
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  if (response.body === null) return ok('');
  const reader = response.body.getReader();
  const parts: string[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return err({ kind: 'too-large', bytes: total });
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
    parts.push(decoder.decode());
  } catch (e) {
    if (e instanceof TypeError && /encod|decod|utf/i.test(e.message)) return err({ kind: 'bad-utf8' });
    return err({ kind: 'read-failed', cause: e });
  } finally {
    reader.releaseLock();
  }
  return ok(parts.join(''));
}
