/**
 * @module sources/homeserver — the read-only homeserver client: `captureSnapshot` reads a live
 * account into a snapshot (DESIGN.md), with the network rules of security.md §5.
 */
export { captureSnapshot, DEFAULT_LIMITS, SNAPSHOT_FORMAT, type CaptureOptions, type CaptureLimits, type CapturedSnapshot } from './capture.ts';
export { type CaptureError, type CaptureErrorCode } from './errors.ts';
export { parseHomeserver, isLoopbackHost, type Homeserver } from './origin.ts';
export { mergeKeysQueryResponses } from './keysQuery.ts';
export { writeLosslessJson as snapshotToJson } from '../../core/json/writeJson.ts';
