/**
 * @module cli/args — parsing the command line into a typed command. Secrets are only ever read
 * from files or stdin: a flag that would carry one on the command line (visible in `ps`, shell
 * history) does not exist.
 */
import { type Result, ok, err } from '../core/result.ts';

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'audit';
      /** `offline`: the snapshot is assembled from the client store alone (`--client-store` without a source). */
      readonly source: { readonly snapshot: string } | { readonly homeserver: string } | { readonly offline: true };
      readonly clientStore?: ClientStoreArgs;
      readonly secretFile?: { readonly kind: 'recovery-key' | 'passphrase'; readonly path: string };
      readonly json: boolean;
      readonly verbose: boolean;
      readonly failOn?: 'error' | 'warning';
      readonly backupSessions: boolean;
      /** Our own TOFU pins file (read, then updated with the keys this audit saw). */
      readonly pins?: string;
    }
  | { readonly kind: 'capture'; readonly homeserver?: string; readonly backupSessions: boolean; readonly clientStore?: ClientStoreArgs }
  | { readonly kind: 'recovery-key-check' };

/** A client-store file (sources/clientStorage/clientStoreDump.ts) and the file holding its pickle key. */
export interface ClientStoreArgs {
  readonly path: string;
  readonly pickleKeyFile?: string;
}

export const USAGE = `Usage:
  crosscheck audit   --snapshot FILE | --homeserver URL | --client-store FILE
                     [--client-store FILE [--pickle-key-file F]]
                     [--recovery-key-file F | --passphrase-file F]
                     [--json] [--verbose] [--fail-on error|warning] [--no-backup-sessions] [--pins FILE]
  crosscheck capture --homeserver URL | --client-store FILE [--pickle-key-file F]
                     [--no-backup-sessions] > snapshot.json
  crosscheck recovery-key check        (reads a recovery key on stdin; format check only, offline)

--client-store FILE reads a dump of the client's own storage (its crypto store, still encrypted,
and its sync store): with --snapshot or --homeserver it adds what this client holds (its device
keys, cached private keys, pinned identities, message keys and their backup state); alone, it is
an offline audit of the keys the client last saw. The crypto store is opened with the client's
pickle key, read from --pickle-key-file (never from a flag); a store without one is unencrypted.

--pins FILE keeps trust-on-first-use identity pins in a file of ours: the first master key seen
for each user is pinned, and a later different one is reported as changed until you set
"accepted": true on its row.
The access token for --homeserver comes from the CROSSCHECK_ACCESS_TOKEN environment variable,
never from a flag. Secrets come from files or stdin, never from arguments.
Exit status: 0 when the audit ran, 1 with --fail-on when findings reach that severity,
2 when the input could not be read or parsed.`;

export function parseArgs(argv: readonly string[]): Result<Command, string> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') return ok({ kind: 'help' });
  if (cmd === '--version') return ok({ kind: 'version' });
  if (cmd === 'recovery-key') {
    if (rest[0] === 'check' && rest.length === 1) return ok({ kind: 'recovery-key-check' });
    return err('usage: crosscheck recovery-key check   (the key is read from stdin)');
  }
  if (cmd !== 'audit' && cmd !== 'capture') return err(`unknown command ${JSON.stringify(cmd)}; try "crosscheck --help"`);

  const flags = new Map<string, string | true>();
  const valued = new Set(['--snapshot', '--homeserver', '--recovery-key-file', '--passphrase-file', '--fail-on', '--pins', '--client-store', '--pickle-key-file']);
  const boolean = new Set(['--json', '--verbose', '--no-backup-sessions']);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (a === '--recovery-key' || a === '--passphrase' || a === '--token' || a === '--access-token' || a === '--pickle-key')
      return err(
        `${a} is not accepted: secrets are never taken from the command line (use ${a === '--recovery-key' ? '--recovery-key-file' : a === '--passphrase' ? '--passphrase-file' : a === '--pickle-key' ? '--pickle-key-file' : 'CROSSCHECK_ACCESS_TOKEN'})`,
      );
    if (valued.has(name)) {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : rest[++i];
      if (v === undefined || v === '') return err(`${name} needs a value`);
      if (flags.has(name)) return err(`${name} is given twice`);
      flags.set(name, v);
    } else if (boolean.has(a)) flags.set(a, true);
    else return err(`unknown option ${JSON.stringify(a)} for "${cmd}"`);
  }
  const get = (k: string) => flags.get(k) as string | undefined;
  const backupSessions = !flags.has('--no-backup-sessions');
  const cs = get('--client-store');
  const pk = get('--pickle-key-file');
  if (pk && !cs) return err('--pickle-key-file goes with --client-store FILE');
  const clientStore: ClientStoreArgs | undefined = cs ? { path: cs, ...(pk ? { pickleKeyFile: pk } : {}) } : undefined;
  if (cmd === 'capture') {
    const hs = get('--homeserver');
    if (!hs && !clientStore) return err('capture needs --homeserver URL or --client-store FILE');
    for (const k of flags.keys()) if (!['--homeserver', '--no-backup-sessions', '--client-store', '--pickle-key-file'].includes(k)) return err(`${k} does not apply to capture`);
    return ok({ kind: 'capture', ...(hs ? { homeserver: hs } : {}), backupSessions, ...(clientStore ? { clientStore } : {}) });
  }
  const snapshot = get('--snapshot');
  const homeserver = get('--homeserver');
  if (snapshot && homeserver) return err('audit needs one of --snapshot FILE or --homeserver URL, not both');
  if (!snapshot && !homeserver && !clientStore) return err('audit needs --snapshot FILE, --homeserver URL or --client-store FILE');
  const rk = get('--recovery-key-file');
  const pp = get('--passphrase-file');
  if (rk && pp) return err('give either --recovery-key-file or --passphrase-file, not both');
  const failOn = get('--fail-on');
  if (failOn !== undefined && failOn !== 'error' && failOn !== 'warning') return err('--fail-on takes "error" or "warning"');
  return ok({
    kind: 'audit',
    source: snapshot ? { snapshot } : homeserver ? { homeserver } : { offline: true as const },
    ...(clientStore ? { clientStore } : {}),
    ...(rk ? { secretFile: { kind: 'recovery-key' as const, path: rk } } : pp ? { secretFile: { kind: 'passphrase' as const, path: pp } } : {}),
    json: flags.has('--json'),
    verbose: flags.has('--verbose'),
    ...(failOn ? { failOn } : {}),
    backupSessions,
    ...(get('--pins') ? { pins: get('--pins') as string } : {}),
  });
}
