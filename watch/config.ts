// The watch's settings from the environment (CORDON_WATCH_* in schemas/config.ts): where its store is, which IP
// data it reads, and its policy. Errors name the variable and the field, never a value.
import { readEnv } from '../schemas/config.ts';
import { WatchPolicy } from '../schemas/verdict.ts';
import type { IpIntelOptions } from './ip-intel.ts';

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
