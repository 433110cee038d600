/**
 * @module platform/browserEager — the extension API for entry points (background, popup,
 * offscreen), loaded with the bundle so listeners can be registered synchronously at start-up
 * (an MV3 service worker only receives events whose listeners exist after the first turn).
 * Import this only from an entry file; everything testable receives the API by injection.
 */
import browser from 'webextension-polyfill';

export { browser };
