/**
 * @module checks/registry — every check the audit runs, in report order. A test asserts that each
 * file in this folder is listed here.
 */
import type { Check } from './check.ts';
import { keysQueryResponse } from './keysQueryResponse.ts';
import { crossSigningKeys } from './crossSigningKeys.ts';
import { ownIdentity } from './ownIdentity.ts';
import { devices } from './devices.ts';
import { otherUsers } from './otherUsers.ts';
import { localStore } from './localStore.ts';
import { keyBackup } from './keyBackup.ts';
import { secretStorage } from './secretStorage.ts';
import { sessionsNotBackedUp } from './sessionsNotBackedUp.ts';

export const CHECKS: readonly Check[] = [keysQueryResponse, crossSigningKeys, ownIdentity, devices, otherUsers, localStore, keyBackup, sessionsNotBackedUp, secretStorage];
