// API keys: minted once, shown once, configured only as their sha256 (CORDON_API_KEYS), compared in
// constant time. A key carries a principal (who it acts as) and scopes (start, approve, read).
//
//   npx tsx api/keys.ts mint --name soar --principal soar-bot --scopes start,read
//
// prints the key (give it to the caller) and the JSON entry to add to CORDON_API_KEYS.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ApiKeyConfig, ApiKeyEntry, ApiScope, type ApiScope as Scope } from '../schemas/api.ts';

/** Recognisable by secret scanners and people: `cordon_` + 32 random bytes, base64url. */
const KEY_PREFIX = 'cordon_';

export interface Caller {
  name: string;
  principal: string;
  scopes: readonly Scope[];
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function mintApiKey(options: { name: string; principal: string; scopes: Scope[] }): { key: string; entry: ApiKeyEntry } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, entry: ApiKeyEntry.parse({ ...options, sha256: hashApiKey(key) }) };
}

export class ApiKeyring {
  private readonly entries: { caller: Caller; digest: Buffer }[];

  constructor(entries: readonly ApiKeyEntry[]) {
    const parsed = ApiKeyConfig.parse(entries);
    this.entries = parsed.map((e) => ({ caller: { name: e.name, principal: e.principal, scopes: e.scopes }, digest: Buffer.from(e.sha256, 'hex') }));
  }

  /**
   * The caller a presented key belongs to. Every configured digest is compared, in constant time,
   * whether or not an earlier one matched, so timing says nothing about which keys exist.
   */
  identify(presented: string): Caller | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: Caller | undefined;
    for (const e of this.entries) if (timingSafeEqual(digest, e.digest) && !found) found = e.caller;
    return found;
  }
}

/** CORDON_API_KEYS: a JSON array of {name, principal, scopes, sha256}. */
export function apiKeyringFromEnv(env: NodeJS.ProcessEnv = process.env): ApiKeyring {
  const raw = env.CORDON_API_KEYS;
  if (!raw) throw new Error('CORDON_API_KEYS is not set: mint a key with `npx tsx api/keys.ts mint --name … --principal … --scopes start,read` and add its entry');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('CORDON_API_KEYS is not valid JSON: it is an array of {name, principal, scopes, sha256}');
  }
  const parsed = ApiKeyConfig.safeParse(json);
  if (!parsed.success) {
    throw new Error(`CORDON_API_KEYS is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(list)'}: ${i.message}`).join('; ')}`);
  }
  return new ApiKeyring(parsed.data);
}

function mintFromArgs(args: string[]): void {
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const scopes = (flag('scopes') ?? 'read').split(',').map((s) => ApiScope.parse(s.trim()));
  const { key, entry } = mintApiKey({ name: flag('name') ?? 'soar', principal: flag('principal') ?? flag('name') ?? 'soar', scopes });
  process.stdout.write(`key (give it to the caller; it is not stored anywhere):\n  ${key}\nCORDON_API_KEYS entry:\n  ${JSON.stringify(entry)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] !== 'mint') {
    process.stderr.write('usage: npx tsx api/keys.ts mint --name NAME --principal PRINCIPAL --scopes start,approve,read\n');
    process.exitCode = 2;
  } else mintFromArgs(process.argv.slice(3));
}
