/**
 * @module e2e/harness/server — the static server the end-to-end tests open in Chromium, on
 * loopback only, on two free ports so the two pages are two origins (localStorage and IndexedDB
 * are per origin, port included):
 *   element  http://127.0.0.1:P1/  the signed-in matrix-js-sdk client (test/e2e/page/main.ts),
 *            with /app.js (the bundle) and /session.json (the credentials it signs in with);
 *   crypto   http://127.0.0.1:P3/  the same page in its second mode: /session.json carries a password
 *            (setLogin), so the client logs a new device in and runs rust crypto, writing its
 *            store in this origin's IndexedDB; /pkg/matrix_sdk_crypto_wasm_bg.wasm is the WASM;
 *   plain    http://127.0.0.1:P2/  an ordinary page with no Matrix client on it; it records every
 *            request, so a test can show that nothing was sent to it.
 * The test build's host permission (http://127.0.0.1/*) covers every port.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { pageBundle, pageWasm } from '../page/bundle.mjs';

export interface SessionConfig {
  readonly baseUrl: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
}

/** The page's second mode: log a new device in by password and run rust crypto. */
export interface LoginConfig {
  readonly baseUrl: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly password: string;
}

export interface TestServer {
  /** The Element stand-in page (origin + "/"). */
  readonly elementUrl: string;
  /** The page in its rust-crypto mode (a third origin). */
  readonly cryptoUrl: string;
  /** What the crypto origin's /session.json answers (404 until set). */
  setLogin(cfg: LoginConfig): void;
  /** A page that is no Matrix client (another origin). */
  readonly plainUrl: string;
  /** Every request the plain origin received (it is also the "other server" of the H1 test). */
  readonly plainRequests: { readonly method: string; readonly path: string; readonly authorization: boolean }[];
  /** What /session.json answers (404 until set). */
  setSession(cfg: SessionConfig): void;
  close(): Promise<void>;
}

const ELEMENT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Element (Crosscheck test page)</title></head>
<body><h1>Element (Crosscheck end-to-end test page)</h1><p id="status">Loading…</p>
<script type="module" src="/app.js"></script></body></html>
`;

const PLAIN_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>An ordinary page</title></head>
<body><h1>An ordinary page</h1><p>No Matrix client here.</p>
<script>localStorage.setItem('theme', 'light');</script></body></html>
`;

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
  });
}

export async function startTestServer(): Promise<TestServer> {
  let session: SessionConfig | undefined;
  let login: LoginConfig | undefined;
  const pageServer = (config: () => object | undefined) =>
    createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/') return send(res, 200, 'text/html; charset=utf-8', ELEMENT_HTML);
      if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', readFileSync(pageBundle));
      if (path === '/app.js.map') return send(res, 200, 'application/json', readFileSync(`${pageBundle}.map`));
      // WebAssembly.instantiateStreaming needs this exact content type.
      if (path === '/pkg/matrix_sdk_crypto_wasm_bg.wasm') return send(res, 200, 'application/wasm', readFileSync(pageWasm));
      const cfg = config();
      if (path === '/session.json' && cfg) return send(res, 200, 'application/json', JSON.stringify(cfg));
      return send(res, 404, 'text/plain', 'not found');
    });
  const element = pageServer(() => session);
  const crypto = pageServer(() => login);
  const plainRequests: TestServer['plainRequests'] = [];
  const plain = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    plainRequests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization !== undefined });
    return path === '/' ? send(res, 200, 'text/html; charset=utf-8', PLAIN_HTML) : send(res, 404, 'text/plain', 'not found');
  });
  const [elementUrl, plainUrl, cryptoUrl] = await Promise.all([listen(element), listen(plain), listen(crypto)]);
  const close = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    elementUrl,
    plainUrl,
    plainRequests,
    cryptoUrl,
    setSession: (cfg) => {
      session = cfg;
    },
    setLogin: (cfg) => {
      login = cfg;
    },
    close: async () => {
      await Promise.all([close(element), close(plain), close(crypto)]);
    },
  };
}
