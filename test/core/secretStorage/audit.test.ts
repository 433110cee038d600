import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { auditSecretStorage, type SecretStorageInput, type SecretStorageOutcome } from '../../../src/core/secretStorage/audit.ts';
import type { Pbkdf2Sha512 } from '../../../src/core/crypto/pbkdf2.ts';
import { parseStrictJson, type JsonObject } from '../../../src/core/json/strictJson.ts';
import { isJsonObject } from '../../../src/core/json/strictJson.ts';
import { utf8 } from '../../../src/core/bytes.ts';
import { ed25519PublicFromSeed, encryptSecretFor, keyDescriptionFor, unpaddedB64, x25519PublicFromPrivate } from './fourSOracle.ts';

const obj = (v: unknown): JsonObject => {
  const r = parseStrictJson(JSON.stringify(v));
  assert.ok(r.ok && isJsonObject(r.value));
  return r.value;
};
const codes = (o: SecretStorageOutcome) => o.findings.map((f) => f.code).sort();
const secretText = (s: string) => utf8(s);

// ---- Published vectors (matrix-crypto.md §8) ----

// TV-7a + TV-8a: recovery key → 4S key bmur… → the three cross-signing secrets of @example:morpheus.localhost
// (matrix-rust-sdk tests/integration/encryption/secret_storage.rs).
const TV8A_RECOVERY_KEY = 'EsTj 3yST y93F SLpB jJsz eAXc 2XzA ygD3 w69H fGaN TKBj jXEd';
const TV8A_KEY_ID = 'bmur2d9ypPUH1msSwCxQOJkuKRmJI55e';
const TV8A_ACCOUNT = {
  'm.secret_storage.default_key': { key: TV8A_KEY_ID },
  [`m.secret_storage.key.${TV8A_KEY_ID}`]: { algorithm: 'm.secret_storage.v1.aes-hmac-sha2', iv: 'xv5b6/p3ExEw++wTyfSHEg==', mac: 'ujBBbXahnTAMkmPUX2/0+VTfUh63pGyVRuBcDMgmJC8=' },
  'm.cross_signing.master': {
    encrypted: { [TV8A_KEY_ID]: { ciphertext: 'lCRSSA1lChONEXj/8RyogsgAa8ouQwYDnLr4XBCheRikrZykLRzPCx3doCE=', iv: 'bdfCwu+ECYgZ/jWTkGrQ/A==', mac: 'NXeV1dZaOe2JLvQ6Hh6tFto7AgFFdaQnY0l9pruwdtE=' } },
  },
  'm.cross_signing.self_signing': {
    encrypted: { [TV8A_KEY_ID]: { ciphertext: '+B9WD02IvtQ8S4OaquhuYEZAx20xvz0oTN7r2VM9VOBxmlOyi+KkkWOvLAo=', iv: '3BCaKGCaSMkg1x9WnTqUmw==', mac: 'xQEDxQbPH0bYeZUFC3wYJh0lsLkP2amcFGdaZ3VdfQg=' } },
  },
  'm.cross_signing.user_signing': {
    encrypted: { [TV8A_KEY_ID]: { ciphertext: 'atqNy5IDzYRkRC+lkKoflwsyHkd0dr4UeoViwJdUzexiq0M8h1i8JMkADNg=', iv: 'bjb1V2n9YmA8j31Z9muMqQ==', mac: 'vusvNuV8Kkq50VxtC78oioofVBurnTTVEhiRyZkfu/4=' } },
  },
};
const TV8A_PUBLISHED = {
  master: 'fKJdf5b3ga1hshUT5obkBteMNTtLkfy8qh4h5/XLNew',
  selfSigning: 'vsEoa0HHxc8hmlWgoohTQBGWcCRh1BFoTzI8HNIxg5Q',
  userSigning: 'IGfFj6KhzqBWxiMm6/e+Pu/x/5NV6a7iEe8AKhuRiq0',
  backupActive: false,
};

// TV-7b + TV-8b: passphrase "mypassphrase" → 4S key yJWw… → backup key → auth_data.public_key hdx5…
// (matrix-rust-sdk tests/integration/encryption.rs, encryption/backups.rs).
const TV8B_KEY_ID = 'yJWwBm2Ts8jHygTBslKpABFyykavhhfA';
const TV8B_ACCOUNT = {
  'm.secret_storage.default_key': { key: TV8B_KEY_ID },
  [`m.secret_storage.key.${TV8B_KEY_ID}`]: {
    algorithm: 'm.secret_storage.v1.aes-hmac-sha2',
    iv: '1Sl4os6UhNRkVQcT6ArQ0g',
    mac: 'UCZlTzqVT7mNvLkwlcCJmuq9nA27oxqpXGdLr9SxD/Y',
    name: null,
    passphrase: { algorithm: 'm.pbkdf2', iterations: 1, salt: 'ooLiz7Kz0TeWH2eYcyjP2fCegEB7PH5B' },
  },
  'm.megolm_backup.v1': {
    encrypted: { [TV8B_KEY_ID]: { ciphertext: 'c39B25f6GSvW7gCUZI1OC0V821Ht2WUfxPWB43rvFSsubouHf16ImqLrwQ', iv: 'hpyoGAElX8YRuigbqa7tfA', mac: 'nE/RCVmFQxu+KuqxmYDDzIxf2JUlxz2oTpoJTj5pUxM' } },
  },
};
const TV8B_BACKUP_PUBLIC = 'hdx5rSn94rBuvJI5cwnhKAVmFyZgfJjk7vwEBD6mIHc';
const TV8B_MISMATCHED_BACKUP_PUBLIC = 'SISFU86lzyzyS0RpkVZRDot/TScaShnbILRYfw1uVSk';

// TV-5 row 1 / TV-9a: the RFC 7748 Alice key as a (legacy) backup recovery key; its public key.
const ALICE_RECOVERY_KEY = 'EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4d';
const ALICE_BACKUP_PUBLIC = 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo';

// ---- Synthetic accounts (node:crypto oracle) ----

interface Synthetic {
  key: Uint8Array;
  keyId: string;
  seeds: Record<'m.cross_signing.master' | 'm.cross_signing.self_signing' | 'm.cross_signing.user_signing', Uint8Array>;
  backupPrivate: Uint8Array;
  account: Record<string, unknown>;
  published: SecretStorageInput['published'];
}

function synthetic(opts: { keyId?: string; withCheck?: boolean; backup?: boolean } = {}): Synthetic {
  const key = nodeCrypto.randomBytes(32);
  const keyId = opts.keyId ?? 'KEY1';
  const seeds = {
    'm.cross_signing.master': nodeCrypto.randomBytes(32),
    'm.cross_signing.self_signing': nodeCrypto.randomBytes(32),
    'm.cross_signing.user_signing': nodeCrypto.randomBytes(32),
  };
  const backupPrivate = nodeCrypto.randomBytes(32);
  const description = opts.withCheck === false ? { algorithm: 'm.secret_storage.v1.aes-hmac-sha2' } : keyDescriptionFor(key);
  const account: Record<string, unknown> = {
    'm.secret_storage.default_key': { key: keyId },
    [`m.secret_storage.key.${keyId}`]: description,
  };
  for (const [name, seed] of Object.entries(seeds)) account[name] = { encrypted: { [keyId]: encryptSecretFor(key, name, Buffer.from(seed).toString('base64')) } };
  if (opts.backup) account['m.megolm_backup.v1'] = { encrypted: { [keyId]: encryptSecretFor(key, 'm.megolm_backup.v1', unpaddedB64(backupPrivate)) } };
  const published = {
    master: ed25519PublicFromSeed(seeds['m.cross_signing.master']),
    selfSigning: ed25519PublicFromSeed(seeds['m.cross_signing.self_signing']),
    userSigning: ed25519PublicFromSeed(seeds['m.cross_signing.user_signing']),
    ...(opts.backup ? { backupPublicKey: x25519PublicFromPrivate(backupPrivate) } : {}),
    backupActive: opts.backup ?? false,
  };
  return { key, keyId, seeds, backupPrivate, account, published };
}

/** The recovery-key text of a raw 32-byte key, via the independent path (bs58 directly). */
async function recoveryKeyText(key: Uint8Array): Promise<string> {
  const { default: bs58 } = await import('bs58');
  const b = new Uint8Array(35);
  b[0] = 0x8b;
  b[1] = 0x01;
  b.set(key, 2);
  b[34] = b.slice(0, 34).reduce((a, x) => a ^ x, 0);
  return bs58.encode(b);
}

describe('secretStorage/audit', () => {
  describe('auditSecretStorage()', () => {
    it('reports not-checked when account data was not captured', async () => {
      const o = await auditSecretStorage({ accountData: undefined, published: { backupActive: true } });
      assert.equal(o.secretStorage.status, 'not-checked');
      assert.deepEqual(o.secretStorage.secrets, { 'm.cross_signing.master': 'not-checked', 'm.cross_signing.self_signing': 'not-checked', 'm.cross_signing.user_signing': 'not-checked', 'm.megolm_backup.v1': 'not-checked' });
      assert.deepEqual(o.recoveryKey, { status: 'not-checked' });
      assert.deepEqual(o.findings, []);
    });

    it('reports missing (SECRET_STORAGE_MISSING) without a default key, and no per-secret noise', async () => {
      const o = await auditSecretStorage({ accountData: obj({ 'm.cross_signing.master': {} }), published: { backupActive: false } });
      assert.equal(o.secretStorage.status, 'missing');
      assert.deepEqual(codes(o), ['SECRET_STORAGE_MISSING']);
      assert.equal(o.secretStorage.secrets['m.cross_signing.master'], 'missing');
      const empty = await auditSecretStorage({ accountData: obj({ 'm.secret_storage.default_key': {} }), published: { backupActive: false } });
      assert.equal(empty.secretStorage.status, 'missing', '`{}` default key counts as absent');
    });

    it('reports SECRET_STORAGE_KEY_DESCRIPTION_MISSING when the default key has no description', async () => {
      const o = await auditSecretStorage({ accountData: obj({ 'm.secret_storage.default_key': { key: 'GONE' } }), published: { backupActive: false } });
      assert.equal(o.secretStorage.status, 'incomplete');
      assert.equal(o.secretStorage.defaultKeyId, 'GONE');
      assert.deepEqual(codes(o), ['SECRET_MISSING', 'SECRET_MISSING', 'SECRET_MISSING', 'SECRET_STORAGE_KEY_DESCRIPTION_MISSING']);
    });

    it('reports the legacy curve25519 default key as unusable', async () => {
      const o = await auditSecretStorage({
        accountData: obj({ ...TV8A_ACCOUNT, [`m.secret_storage.key.${TV8A_KEY_ID}`]: { algorithm: 'm.secret_storage.v1.curve25519-aes-sha2', pubkey: 'x' } }),
        published: TV8A_PUBLISHED,
      });
      assert.equal(o.secretStorage.status, 'incomplete');
      const f = o.findings.find((x) => x.code === 'SECRET_STORAGE_KEY_DESCRIPTION_MISSING');
      assert.equal(f?.evidence['problem'], 'unsupported-algorithm');
    });

    it('accepts TV-8a without a key: storage ok, every secret not-checked, nothing proven', async () => {
      const o = await auditSecretStorage({ accountData: obj(TV8A_ACCOUNT), published: TV8A_PUBLISHED });
      assert.deepEqual(o.secretStorage, {
        status: 'ok',
        defaultKeyId: TV8A_KEY_ID,
        keys: [TV8A_KEY_ID],
        secrets: { 'm.cross_signing.master': 'not-checked', 'm.cross_signing.self_signing': 'not-checked', 'm.cross_signing.user_signing': 'not-checked' },
      });
      assert.deepEqual(o.findings, []);
      assert.deepEqual(o.proven, { master: false, selfSigning: false, userSigning: false, backup: false });
    });

    it('accepts TV-8a with its recovery key: correct, all three secrets ok and proven against the published keys', async () => {
      const o = await auditSecretStorage({ accountData: obj(TV8A_ACCOUNT), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) }, userId: '@example:morpheus.localhost' });
      assert.deepEqual(o.recoveryKey, { status: 'correct', reason: 'matches your secret-storage key', keyId: TV8A_KEY_ID, unlocked: { secrets: 3, of: 3, backup: false } });
      assert.equal(o.secretStorage.status, 'ok');
      assert.deepEqual(Object.values(o.secretStorage.secrets), ['ok', 'ok', 'ok']);
      assert.deepEqual(o.proven, { master: true, selfSigning: true, userSigning: true, backup: false });
      assert.deepEqual(o.findings, []);
      assert.equal(o.backupPrivateKey, undefined);
    });

    it('reports a stale master secret (TV-8a key, other published master) as does-not-match-public-key (§9.14, D2)', async () => {
      const o = await auditSecretStorage({
        accountData: obj(TV8A_ACCOUNT),
        published: { ...TV8A_PUBLISHED, master: TV8A_PUBLISHED.selfSigning },
        secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) },
      });
      assert.equal(o.recoveryKey.status, 'correct');
      assert.equal(o.secretStorage.secrets['m.cross_signing.master'], 'does-not-match-public-key');
      assert.equal(o.secretStorage.status, 'incomplete');
      assert.equal(o.proven.master, false);
      assert.equal(o.proven.selfSigning, true);
      assert.deepEqual(o.recoveryKey.unlocked, { secrets: 2, of: 3, backup: false });
      assert.deepEqual(codes(o), ['SECRET_DOES_NOT_MATCH_PUBLIC_KEY']);
      assert.deepEqual(o.findings[0]?.evidence, { secret: 'm.cross_signing.master', keyId: TV8A_KEY_ID });
    });

    it('reports a decrypted secret with no published key to compare as not-checked, not ok', async () => {
      const o = await auditSecretStorage({ accountData: obj(TV8A_ACCOUNT), published: { backupActive: false }, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) } });
      assert.equal(o.recoveryKey.status, 'correct');
      assert.deepEqual(Object.values(o.secretStorage.secrets), ['not-checked', 'not-checked', 'not-checked']);
      assert.deepEqual(o.proven, { master: false, selfSigning: false, userSigning: false, backup: false });
    });

    it('accepts TV-8b with the passphrase: correct, backup key proven and handed back, weak parameters flagged', async () => {
      const o = await auditSecretStorage({
        accountData: obj(TV8B_ACCOUNT),
        published: { backupPublicKey: TV8B_BACKUP_PUBLIC, backupActive: true },
        secret: { kind: 'passphrase', text: secretText('mypassphrase') },
      });
      assert.equal(o.recoveryKey.status, 'correct');
      assert.deepEqual(o.recoveryKey.unlocked, { secrets: 1, of: 4, backup: true });
      assert.equal(o.secretStorage.secrets['m.megolm_backup.v1'], 'ok');
      assert.equal(o.proven.backup, true);
      assert.equal(Buffer.from(o.backupPrivateKey!).toString('base64').replace(/=+$/, ''), 'IeJv45zHC4AamrFtCi3MedkLMBZYXjPbKUnv53Iqzho');
      assert.deepEqual(codes(o), ['SECRET_MISSING', 'SECRET_MISSING', 'SECRET_MISSING', 'SECRET_STORAGE_PASSPHRASE_PARAMETERS']);
      const weak = o.findings.find((f) => f.code === 'SECRET_STORAGE_PASSPHRASE_PARAMETERS');
      assert.equal(weak?.severity, 'warning');
      assert.deepEqual(weak?.evidence, { keyId: TV8B_KEY_ID, problem: 'weak', iterations: 1 });
    });

    it('G1: rejects the TV-8b backup secret against the mismatched backup public key (SISFU…)', async () => {
      const o = await auditSecretStorage({
        accountData: obj(TV8B_ACCOUNT),
        published: { backupPublicKey: TV8B_MISMATCHED_BACKUP_PUBLIC, backupActive: true },
        secret: { kind: 'passphrase', text: secretText('mypassphrase') },
      });
      assert.equal(o.recoveryKey.status, 'correct');
      assert.equal(o.secretStorage.secrets['m.megolm_backup.v1'], 'does-not-match-public-key');
      assert.equal(o.proven.backup, false);
      assert.equal(o.backupPrivateKey, undefined);
      assert.deepEqual(o.recoveryKey.unlocked, { secrets: 0, of: 4, backup: false });
      assert.ok(codes(o).includes('SECRET_DOES_NOT_MATCH_PUBLIC_KEY'));
    });

    it('rejects a wrong passphrase on TV-8b (TV-6 negative style) as wrong', async () => {
      const o = await auditSecretStorage({ accountData: obj(TV8B_ACCOUNT), published: { backupPublicKey: TV8B_BACKUP_PUBLIC, backupActive: true }, secret: { kind: 'passphrase', text: secretText('my passphrase') } });
      assert.equal(o.recoveryKey.status, 'wrong');
      assert.ok(codes(o).includes('RECOVERY_KEY_WRONG'));
      assert.equal(o.secretStorage.secrets['m.megolm_backup.v1'], 'not-checked');
      assert.equal(o.backupPrivateKey, undefined);
    });

    it('reports the raw legacy backup key (TV-5/TV-9a Alice) as matches-other-key "backup-decryption-key" and hands it back', async () => {
      const o = await auditSecretStorage({
        accountData: obj(TV8A_ACCOUNT),
        published: { ...TV8A_PUBLISHED, backupPublicKey: ALICE_BACKUP_PUBLIC, backupActive: true },
        secret: { kind: 'recovery-key', text: secretText(ALICE_RECOVERY_KEY) },
      });
      assert.deepEqual(o.recoveryKey, { status: 'matches-other-key', reason: 'backup-decryption-key', unlocked: { secrets: 0, of: 4, backup: true } });
      assert.equal(o.proven.backup, true);
      assert.equal(Buffer.from(o.backupPrivateKey!).toString('hex'), '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
      assert.ok(codes(o).includes('RECOVERY_KEY_MATCHES_OTHER_KEY'));
      assert.deepEqual(o.findings.find((f) => f.code === 'RECOVERY_KEY_MATCHES_OTHER_KEY')?.evidence, { kind: 'backup-decryption-key' });
    });

    it('G1: rejects the Alice backup key against Bob’s backup public key (TV-9b) as wrong', async () => {
      const o = await auditSecretStorage({
        accountData: obj({}),
        published: { backupPublicKey: 'ZRuVWcWlDuvOwZRygccUCD4Avtnt130800I+WQNwwRY', backupActive: true },
        secret: { kind: 'recovery-key', text: secretText(ALICE_RECOVERY_KEY) },
      });
      assert.equal(o.recoveryKey.status, 'wrong');
      assert.equal(o.proven.backup, false);
      assert.equal(o.backupPrivateKey, undefined);
    });

    it('F1: reports malformed keys with the reason word and position, never the text', async () => {
      const cases: [string, string, number | undefined][] = [
        ['EsTc LW2K 0GiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4d', 'bad-character', 11],
        ['EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4e', 'bad-parity', undefined],
        ['AATpRvZTnjck8YrhRAtwXLS84Nr2r9S9LGAWDaExVAPBvLRk', 'bad-prefix', undefined],
        ['AATpRvZTnjck8YrhRAtwXLS84Nr2r9S9', 'bad-length', undefined],
        ['   ', 'bad-length', undefined],
      ];
      for (const [text, reason, position] of cases) {
        const o = await auditSecretStorage({ accountData: obj(TV8A_ACCOUNT), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText(text) } });
        assert.deepEqual(o.recoveryKey, { status: 'malformed', reason, ...(position !== undefined ? { position } : {}) }, text);
        assert.deepEqual(codes(o), ['RECOVERY_KEY_MALFORMED']);
        const dump = JSON.stringify(o);
        for (const group of text.split(' ').filter((g) => g.length >= 4)) assert.ok(!dump.includes(group), `outcome must not contain "${group}"`);
      }
    });

    it('F1: accepts the TV-8a key with random whitespace', async () => {
      const o = await auditSecretStorage({ accountData: obj(TV8A_ACCOUNT), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText('\nEsTj3ySTy93F\tSLpBjJszeAXc 2XzAygD3w69H\u00a0fGaNTKBjjXEd  ') } });
      assert.equal(o.recoveryKey.status, 'correct');
    });

    it('rejects another valid recovery key on TV-8a as wrong, leaving secrets not-checked', async () => {
      const o = await auditSecretStorage({ accountData: obj(TV8A_ACCOUNT), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText(ALICE_RECOVERY_KEY) } });
      assert.deepEqual(o.recoveryKey, { status: 'wrong', reason: 'does not match any secret-storage key' });
      assert.deepEqual(codes(o), ['RECOVERY_KEY_WRONG']);
      assert.deepEqual(o.findings[0]?.evidence, { triedKeyIds: [TV8A_KEY_ID] });
      assert.deepEqual(Object.values(o.secretStorage.secrets), ['not-checked', 'not-checked', 'not-checked']);
      assert.equal(o.proven.master, false);
    });

    it('reports an older key as matches-other-key, and still proves secrets it holds copies of', async () => {
      const now = synthetic({ keyId: 'NEW' });
      // The old TV-7a description stays; secrets are under the new key only, plus an old copy of nothing.
      const account = { ...now.account, [`m.secret_storage.key.${TV8A_KEY_ID}`]: TV8A_ACCOUNT[`m.secret_storage.key.${TV8A_KEY_ID}`] };
      const o = await auditSecretStorage({ accountData: obj(account), published: now.published, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) } });
      assert.equal(o.recoveryKey.status, 'matches-other-key');
      assert.equal(o.recoveryKey.keyId, TV8A_KEY_ID);
      assert.deepEqual(o.recoveryKey.unlocked, { secrets: 0, of: 3, backup: false });
      assert.deepEqual(o.secretStorage.keys, ['NEW', TV8A_KEY_ID], 'default key first');
      assert.deepEqual(codes(o), ['RECOVERY_KEY_MATCHES_OTHER_KEY']);
      // Same, but the old key still holds a current copy of the master key: proven, status stays about the default key.
      const withCopy = { ...account, 'm.cross_signing.master': { encrypted: { ...(now.account['m.cross_signing.master'] as { encrypted: object }).encrypted, [TV8A_KEY_ID]: TV8A_ACCOUNT['m.cross_signing.master'].encrypted[TV8A_KEY_ID] } } };
      const o2 = await auditSecretStorage({ accountData: obj(withCopy), published: { ...now.published, master: TV8A_PUBLISHED.master }, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) } });
      assert.equal(o2.recoveryKey.status, 'matches-other-key');
      assert.equal(o2.proven.master, true);
      assert.equal(o2.secretStorage.secrets['m.cross_signing.master'], 'not-checked');
    });

    it('F2: confirms a key without iv/mac only through a secret’s MAC; with no secret under it, unconfirmed', async () => {
      const s = synthetic({ withCheck: false });
      const text = await recoveryKeyText(s.key);
      const o = await auditSecretStorage({ accountData: obj(s.account), published: s.published, secret: { kind: 'recovery-key', text: secretText(text) } });
      assert.equal(o.recoveryKey.status, 'correct');
      assert.match(o.recoveryKey.reason ?? '', /opening a secret/);
      assert.deepEqual(o.proven, { master: true, selfSigning: true, userSigning: true, backup: false });
      assert.deepEqual(codes(o), ['SECRET_STORAGE_KEY_UNCHECKABLE']);
      // The same description with every secret removed: nothing can confirm the key.
      const bare = { 'm.secret_storage.default_key': { key: s.keyId }, [`m.secret_storage.key.${s.keyId}`]: { algorithm: 'm.secret_storage.v1.aes-hmac-sha2' } };
      const o2 = await auditSecretStorage({ accountData: obj(bare), published: s.published, secret: { kind: 'recovery-key', text: secretText(text) } });
      assert.equal(o2.recoveryKey.status, 'unconfirmed');
      assert.ok(codes(o2).includes('RECOVERY_KEY_UNCONFIRMED'));
      assert.ok(codes(o2).includes('SECRET_STORAGE_KEY_UNCHECKABLE'));
      // And a wrong key against the MAC-less description with secrets: wrong.
      const o3 = await auditSecretStorage({ accountData: obj(s.account), published: s.published, secret: { kind: 'recovery-key', text: secretText(ALICE_RECOVERY_KEY) } });
      assert.equal(o3.recoveryKey.status, 'wrong');
    });

    it('F3: reports a default description with a 14-byte iv or 31-byte mac as damaged, and never calls the key correct', async () => {
      for (const field of ['iv', 'mac'] as const) {
        const desc = { ...TV8A_ACCOUNT[`m.secret_storage.key.${TV8A_KEY_ID}`], [field]: Buffer.alloc(field === 'iv' ? 14 : 31, 1).toString('base64') };
        const o = await auditSecretStorage({ accountData: obj({ ...TV8A_ACCOUNT, [`m.secret_storage.key.${TV8A_KEY_ID}`]: desc }), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) } });
        assert.equal(o.secretStorage.status, 'incomplete');
        const f = o.findings.find((x) => x.code === 'SECRET_STORAGE_KEY_DESCRIPTION_MISSING');
        assert.deepEqual(f?.evidence, { keyId: TV8A_KEY_ID, problem: 'malformed', field });
        assert.notEqual(o.recoveryKey.status, 'correct');
        assert.equal(o.proven.master, false);
      }
    });

    it('F4: a default key moved to an attacker description without MAC gives wrong, never correct', async () => {
      const attackerKey = nodeCrypto.randomBytes(32);
      const attacker: Record<string, unknown> = {
        'm.secret_storage.default_key': { key: 'EVIL' },
        'm.secret_storage.key.EVIL': { algorithm: 'm.secret_storage.v1.aes-hmac-sha2' },
      };
      for (const name of ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing']) {
        attacker[name] = { encrypted: { EVIL: encryptSecretFor(attackerKey, name, Buffer.from(nodeCrypto.randomBytes(32)).toString('base64')) } };
      }
      const o = await auditSecretStorage({ accountData: obj(attacker), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) } });
      assert.equal(o.recoveryKey.status, 'wrong');
      assert.ok(codes(o).includes('RECOVERY_KEY_WRONG'));
      assert.ok(codes(o).includes('SECRET_STORAGE_KEY_UNCHECKABLE'));
      assert.deepEqual(o.proven, { master: false, selfSigning: false, userSigning: false, backup: false });
      // If the user's real (old) description survives, the key is recognised as that one — still not correct.
      const withOld = { ...attacker, [`m.secret_storage.key.${TV8A_KEY_ID}`]: TV8A_ACCOUNT[`m.secret_storage.key.${TV8A_KEY_ID}`] };
      const o2 = await auditSecretStorage({ accountData: obj(withOld), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) } });
      assert.equal(o2.recoveryKey.status, 'matches-other-key');
      assert.equal(o2.recoveryKey.keyId, TV8A_KEY_ID);
    });

    it('F5: a flipped IV bit in m.cross_signing.master passes the MAC but is never ok', async () => {
      for (const byte of [0, 8, 15]) {
        const master = structuredClone(TV8A_ACCOUNT['m.cross_signing.master']);
        const entry = master.encrypted[TV8A_KEY_ID]!;
        const iv = Buffer.from(entry.iv, 'base64');
        iv[byte] = (iv[byte] as number) ^ 0x01;
        entry.iv = iv.toString('base64');
        const o = await auditSecretStorage({ accountData: obj({ ...TV8A_ACCOUNT, 'm.cross_signing.master': master }), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) } });
        const status = o.secretStorage.secrets['m.cross_signing.master'];
        assert.ok(status === 'corrupt' || status === 'does-not-match-public-key', `byte ${byte}: got ${status}`);
        assert.equal(o.proven.master, false);
        assert.ok(codes(o).includes(status === 'corrupt' ? 'SECRET_CORRUPT' : 'SECRET_DOES_NOT_MATCH_PUBLIC_KEY'));
        assert.equal(o.secretStorage.status, 'incomplete');
      }
    });

    it('F8: refuses 2^31 rounds, 512 bits and a missing salt without running PBKDF2, and stays responsive', async () => {
      const bad = [
        { algorithm: 'm.pbkdf2', salt: 's', iterations: 2 ** 31 },
        { algorithm: 'm.pbkdf2', salt: 's', iterations: 1000, bits: 512 },
        { algorithm: 'm.pbkdf2', iterations: 1000 },
      ];
      const expected = ['iterations-too-high', 'unsupported-bits', 'bad-salt'];
      for (const [i, passphrase] of bad.entries()) {
        let calls = 0;
        const spy: Pbkdf2Sha512 = async (_p, _s, _c, n) => {
          calls++;
          return new Uint8Array(n);
        };
        const account = { ...TV8B_ACCOUNT, [`m.secret_storage.key.${TV8B_KEY_ID}`]: { ...TV8B_ACCOUNT[`m.secret_storage.key.${TV8B_KEY_ID}`], passphrase } };
        const t0 = performance.now();
        const o = await auditSecretStorage({ accountData: obj(account), published: { backupPublicKey: TV8B_BACKUP_PUBLIC, backupActive: true }, secret: { kind: 'passphrase', text: secretText('mypassphrase') }, pbkdf2: spy });
        assert.ok(performance.now() - t0 < 2000);
        assert.equal(calls, 0, 'PBKDF2 must not run');
        assert.equal(o.recoveryKey.status, 'unconfirmed');
        const f = o.findings.filter((x) => x.code === 'SECRET_STORAGE_PASSPHRASE_PARAMETERS');
        assert.equal(f.length, 1, 'reported once');
        assert.equal(f[0]?.severity, 'error');
        assert.equal(f[0]?.evidence['problem'], expected[i]);
      }
    });

    it('F10: a secret whose encrypted map lacks the key ID is "not stored under this key", never ok', async () => {
      const s = synthetic();
      const account = { ...s.account };
      for (const name of ['m.cross_signing.master', 'm.cross_signing.self_signing', 'm.cross_signing.user_signing']) {
        account[name] = { encrypted: { OTHER: (s.account[name] as { encrypted: Record<string, unknown> }).encrypted[s.keyId] } };
      }
      const o = await auditSecretStorage({ accountData: obj(account), published: s.published, secret: { kind: 'recovery-key', text: secretText(await recoveryKeyText(s.key)) } });
      assert.deepEqual(Object.values(o.secretStorage.secrets), ['not-encrypted-for-default-key', 'not-encrypted-for-default-key', 'not-encrypted-for-default-key']);
      assert.equal(o.secretStorage.status, 'incomplete');
      assert.deepEqual(o.recoveryKey.unlocked, { secrets: 0, of: 3, backup: false }, 'the key is the right one, but it opens nothing');
      assert.deepEqual(o.proven, { master: false, selfSigning: false, userSigning: false, backup: false });
      const f = o.findings.filter((x) => x.code === 'SECRET_NOT_ENCRYPTED_FOR_DEFAULT_KEY');
      assert.equal(f.length, 3);
      assert.deepEqual(f[0]?.evidence, { secret: 'm.cross_signing.master', defaultKeyId: s.keyId, encryptedFor: ['OTHER'] });
    });

    it('reports `{}` secret content as missing and a secret only under another key as not-encrypted-for-default-key', async () => {
      const s = synthetic();
      const account = { ...s.account, 'm.cross_signing.self_signing': {}, 'm.cross_signing.user_signing': { encrypted: { OLD: { iv: 'a', ciphertext: 'b', mac: 'c' } } } };
      const o = await auditSecretStorage({ accountData: obj(account), published: s.published });
      assert.deepEqual(o.secretStorage.secrets, { 'm.cross_signing.master': 'not-checked', 'm.cross_signing.self_signing': 'missing', 'm.cross_signing.user_signing': 'not-encrypted-for-default-key' });
      assert.deepEqual(codes(o), ['SECRET_MISSING', 'SECRET_NOT_ENCRYPTED_FOR_DEFAULT_KEY']);
    });

    it('reports mac-mismatch and corrupt secrets under the right key with SECRET_CORRUPT', async () => {
      const s = synthetic();
      const account = {
        ...s.account,
        // Encrypted under another key, filed under ours: MAC fails with the right key.
        'm.cross_signing.master': { encrypted: { [s.keyId]: encryptSecretFor(nodeCrypto.randomBytes(32), 'm.cross_signing.master', 'x') } },
        // Right key, but the plaintext is not a base64 32-byte key.
        'm.cross_signing.self_signing': { encrypted: { [s.keyId]: encryptSecretFor(s.key, 'm.cross_signing.self_signing', 'not a key') } },
        // Stored badly: mac of the wrong size (reported even without a key).
        'm.cross_signing.user_signing': { encrypted: { [s.keyId]: { ...encryptSecretFor(s.key, 'm.cross_signing.user_signing', 'x'), mac: 'AAAA' } } },
      };
      const noKey = await auditSecretStorage({ accountData: obj(account), published: s.published });
      assert.equal(noKey.secretStorage.secrets['m.cross_signing.user_signing'], 'corrupt');
      assert.deepEqual(codes(noKey), ['SECRET_CORRUPT']);
      const o = await auditSecretStorage({ accountData: obj(account), published: s.published, secret: { kind: 'recovery-key', text: secretText(await recoveryKeyText(s.key)) } });
      assert.equal(o.recoveryKey.status, 'correct');
      assert.deepEqual(o.secretStorage.secrets, { 'm.cross_signing.master': 'mac-mismatch', 'm.cross_signing.self_signing': 'corrupt', 'm.cross_signing.user_signing': 'corrupt' });
      assert.deepEqual(codes(o), ['SECRET_CORRUPT', 'SECRET_CORRUPT', 'SECRET_CORRUPT']);
      assert.deepEqual(
        o.findings.map((f) => f.evidence['reason']),
        ['stored-mac-malformed', 'mac-mismatch', 'not-a-key'],
      );
    });

    it('reports a passphrase against storage without passphrase parameters as unconfirmed', async () => {
      const o = await auditSecretStorage({ accountData: obj(TV8A_ACCOUNT), published: TV8A_PUBLISHED, secret: { kind: 'passphrase', text: secretText('mypassphrase') } });
      assert.deepEqual(o.recoveryKey, { status: 'unconfirmed', reason: 'no passphrase set up' });
      assert.deepEqual(codes(o), ['RECOVERY_KEY_UNCONFIRMED']);
    });

    it('accepts the backup key from a synthetic 4S with every secret: all four proven', async () => {
      const s = synthetic({ backup: true });
      const o = await auditSecretStorage({ accountData: obj(s.account), published: s.published, secret: { kind: 'recovery-key', text: secretText(await recoveryKeyText(s.key)) } });
      assert.deepEqual(o.proven, { master: true, selfSigning: true, userSigning: true, backup: true });
      assert.deepEqual(o.recoveryKey.unlocked, { secrets: 4, of: 4, backup: true });
      assert.equal(o.secretStorage.status, 'ok');
      assert.deepEqual(Buffer.from(o.backupPrivateKey!), Buffer.from(s.backupPrivate));
      assert.deepEqual(o.findings, []);
    });

    it('accepts hostile account-data shapes without throwing', async () => {
      const shapes: Record<string, unknown>[] = [
        { 'm.secret_storage.default_key': 'x' },
        { 'm.secret_storage.default_key': { key: 5 } },
        { 'm.secret_storage.default_key': { key: 'K' }, 'm.secret_storage.key.K': null, 'm.cross_signing.master': [] },
        { 'm.secret_storage.default_key': { key: 'K' }, 'm.secret_storage.key.K': [], 'm.cross_signing.master': { encrypted: [] } },
        { 'm.secret_storage.default_key': { key: 'K' }, 'm.secret_storage.key.K': { algorithm: 'm.secret_storage.v1.aes-hmac-sha2' }, 'm.cross_signing.master': { encrypted: { K: null } } },
        { 'm.secret_storage.default_key': { key: '__proto__x' }, 'm.secret_storage.key.': {}, 'm.cross_signing.master': { encrypted: { constructor: {} } } },
      ];
      for (const s of shapes) {
        for (const secret of [undefined, { kind: 'recovery-key' as const, text: secretText(TV8A_RECOVERY_KEY) }, { kind: 'passphrase' as const, text: secretText('x') }]) {
          const o = await auditSecretStorage({ accountData: obj(s), published: { backupActive: true }, ...(secret ? { secret } : {}) });
          assert.notEqual(o.recoveryKey.status, 'correct', JSON.stringify(s));
        }
      }
    });

    it('reports findings without key bytes, secret plaintext or the typed text', async () => {
      const s = synthetic({ backup: true });
      const text = await recoveryKeyText(s.key);
      const stale = { ...s.published, master: TV8A_PUBLISHED.master, backupPublicKey: TV8B_BACKUP_PUBLIC };
      const o = await auditSecretStorage({ accountData: obj(s.account), published: stale, secret: { kind: 'recovery-key', text: secretText(text) } });
      assert.ok(o.findings.length >= 2);
      const dump = JSON.stringify({ ...o, backupPrivateKey: undefined });
      const forbidden = [text, Buffer.from(s.key).toString('base64').slice(0, 20), Buffer.from(s.key).toString('hex').slice(0, 20), Buffer.from(s.backupPrivate).toString('base64').slice(0, 20)];
      for (const seed of Object.values(s.seeds)) forbidden.push(Buffer.from(seed).toString('base64').slice(0, 20));
      for (const x of forbidden) assert.ok(!dump.includes(x), `outcome must not contain ${x}`);
    });

    describe('wiping the typed secret', () => {
      const paths: [string, () => SecretStorageInput][] = [
        ['correct recovery key', () => ({ accountData: obj(TV8A_ACCOUNT), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) } })],
        ['wrong recovery key', () => ({ accountData: obj(TV8A_ACCOUNT), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText(ALICE_RECOVERY_KEY) } })],
        ['malformed recovery key', () => ({ accountData: obj(TV8A_ACCOUNT), published: TV8A_PUBLISHED, secret: { kind: 'recovery-key', text: secretText('EsTc 0000') } })],
        ['correct passphrase', () => ({ accountData: obj(TV8B_ACCOUNT), published: { backupPublicKey: TV8B_BACKUP_PUBLIC, backupActive: true }, secret: { kind: 'passphrase', text: secretText('mypassphrase') } })],
        ['wrong passphrase', () => ({ accountData: obj(TV8B_ACCOUNT), published: { backupActive: false }, secret: { kind: 'passphrase', text: secretText('nope') } })],
        ['no account data', () => ({ accountData: undefined, published: { backupActive: false }, secret: { kind: 'recovery-key', text: secretText(TV8A_RECOVERY_KEY) } })],
      ];
      for (const [name, make] of paths) {
        it(`reports the secret bytes all zero after return (${name})`, async () => {
          const input = make();
          const text = input.secret!.text;
          assert.ok(text.some((b) => b !== 0));
          await auditSecretStorage(input);
          assert.ok(text.every((b) => b === 0), 'every byte should be zero');
        });
      }

      it('reports the secret bytes all zero even when the injected PBKDF2 fails', async () => {
        const text = secretText('mypassphrase');
        const failing: Pbkdf2Sha512 = async () => {
          throw new Error('platform failure');
        };
        await assert.rejects(auditSecretStorage({ accountData: obj(TV8B_ACCOUNT), published: { backupActive: false }, secret: { kind: 'passphrase', text }, pbkdf2: failing }));
        assert.ok(text.every((b) => b === 0));
      });

      it('reports the key PBKDF2 derived all zero after return, while the handed-back backup key stays live', async () => {
        const returned: Uint8Array[] = [];
        const recording: Pbkdf2Sha512 = async (p, s, c, n) => {
          const { noblePbkdf2Sha512 } = await import('../../../src/core/crypto/pbkdf2.ts');
          const out = await noblePbkdf2Sha512(p, s, c, n);
          returned.push(out);
          return out;
        };
        const o = await auditSecretStorage({ accountData: obj(TV8B_ACCOUNT), published: { backupPublicKey: TV8B_BACKUP_PUBLIC, backupActive: true }, secret: { kind: 'passphrase', text: secretText('mypassphrase') }, pbkdf2: recording });
        assert.equal(o.recoveryKey.status, 'correct');
        assert.equal(returned.length, 1);
        assert.ok(returned[0]!.every((b) => b === 0), 'the derived 4S key should be wiped');
        assert.ok(o.backupPrivateKey && o.backupPrivateKey.some((b) => b !== 0), 'the handed-back backup key is a live copy (the caller wipes it)');
      });
    });
  });
});
