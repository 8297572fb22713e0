// Every signal the engine evaluates, in the order their reasons are listed.
import { asnClassChange } from './asn-class-change.ts';
import { dormantThenActive } from './dormant-then-active.ts';
import { impossibleTravel } from './impossible-travel.ts';
import { newAsn } from './new-asn.ts';
import { newCountry } from './new-country.ts';
import { newOperationFamily } from './new-operation-family.ts';
import { newUserAgent } from './new-user-agent.ts';
import { providerAnomaly } from './provider-anomaly.ts';
import { refreshAfterSessionEnd } from './refresh-after-session-end.ts';
import { scopeExpansion } from './scope-expansion.ts';
import type { Signal } from './signal.ts';
import { targetSweep } from './target-sweep.ts';
import { unattributed } from './unattributed.ts';
import { useAfterLifecycle } from './use-after-lifecycle.ts';
import { useAfterRevocation } from './use-after-revocation.ts';
import { volumeSpike } from './volume-spike.ts';

export const SIGNALS: readonly Signal[] = [
  useAfterRevocation,
  useAfterLifecycle,
  refreshAfterSessionEnd,
  unattributed,
  impossibleTravel,
  asnClassChange,
  newAsn,
  newCountry,
  newUserAgent,
  scopeExpansion,
  volumeSpike,
  targetSweep,
  newOperationFamily,
  dormantThenActive,
  providerAnomaly,
];
