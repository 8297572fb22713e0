// The watch's settings from the environment (CORDON_WATCH_* in schemas/config.ts): where its store is, which IP
// data it reads, and its policy. Errors name the variable and the field, never a value.
import { readEnv } from '../schemas/config.ts';
import { WatchPolicy } from '../schemas/verdict.ts';
import { openIpIntel, type IpIntelOptions } from './ip-intel.ts';
import { openBaselineStore, type BaselineStore } from './baseline-store.ts';
import { openWatch, type Watch } from './engine.ts';

export interface WatchSettings {
  storePath: string;
  ipIntel: IpIntelOptions;
  policy: WatchPolicy;
}

export function watchSettingsFromEnv(env: Record<string, string | undefined>): WatchSettings {
  const ipIntel: IpIntelOptions = {};
  const asnMmdb = readEnv(env, 'CORDON_WATCH_ASN_MMDB');
  const countryMmdb = readEnv(env, 'CORDON_WATCH_COUNTRY_MMDB');
  if (asnMmdb) ipIntel.asnMmdb = asnMmdb;
  if (countryMmdb) ipIntel.countryMmdb = countryMmdb;
  const policyJson = readEnv(env, 'CORDON_WATCH_POLICY');
  const parsed = WatchPolicy.safeParse(policyJson ? JSON.parse(policyJson) : {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`CORDON_WATCH_POLICY: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { storePath: readEnv(env, 'CORDON_WATCH_DB') ?? '.cordon/watch.db', ipIntel, policy: parsed.data };
}

/** The watch a worker runs: its store, the IP data and the policy, from the CORDON_WATCH_* variables. */
export function openWatchFromEnv(env: Record<string, string | undefined>): { watch: Watch; store: BaselineStore } {
  const settings = watchSettingsFromEnv(env);
  const store = openBaselineStore(settings.storePath);
  return { watch: openWatch({ store, ipIntel: openIpIntel(settings.ipIntel), policy: settings.policy }), store };
}
