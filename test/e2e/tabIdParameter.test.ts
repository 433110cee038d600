/**
 * The report page's `?tabId=` is how the end-to-end tests (and only they) name the tab to audit.
 * Chromium hands out tab IDs anywhere in the int32 range: this machine's Debian Chromium gave
 * 667747837, 1072552217 and 1685529003 in three runs. A 10-digit ID that the page refuses makes it
 * fall back to the active tab (the report page itself), which Chromium will not let the extension
 * read: "Cannot access contents of the page". Found by the seeded-account e2e test; kept here as
 * a deterministic check (no browser needed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetTabId } from '../../src/popup/api.ts';

test('?tabId= accepts every tab ID Chromium can hand out (int32), including 10-digit ones', async () => {
  for (const id of [1, 667747837, 1072552217, 1685529003, 2147483647]) assert.equal(await targetTabId(`?view=page&tabId=${id}`), id, `tabId=${id}`);
});
