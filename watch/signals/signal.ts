// The shape every signal has (one module per signal in this folder; the list is index.ts). A signal reads one
// event with its context and the token's baseline as it was before the event, and returns a finding or nothing.
// Thresholds come from the WatchPolicy; docs/drift-watch.md ("Signals and thresholds") documents each.
import type { TokenUseEvent } from '../../schemas/token-use.ts';
import type { InventoryEntry, LearnedValues, SignalName, TriggerCategory, WatchPolicy } from '../../schemas/verdict.ts';
import type { Baseline } from '../baseline.ts';
import type { IpInfo } from '../ip-intel.ts';
import type { PrincipalStatus } from '../baseline-store.ts';

export interface SignalContext {
  event: TokenUseEvent & { tokenKey: string };
  /** event time, epoch ms */
  at: number;
  ip: IpInfo | undefined;
  /** The baseline before this event; undefined for the token's first event. */
  baseline: Baseline | undefined;
  /** Within the learning period: drift signals stay quiet. */
  learning: boolean;
  policy: WatchPolicy;
  /** The event's network or user agent is on an allowlist of a vendor this token belongs to. */
  allowlisted: { network: boolean; userAgent: boolean };
  principalStatus: { status: PrincipalStatus; at: number } | undefined;
  appRetiredAt: number | undefined;
  revokedAt: number | undefined;
  inventory: InventoryEntry | undefined;
}

export interface SignalHit {
  signal: SignalName;
  category: TriggerCategory;
  /** What the finding is about (an ASN, a scope, a session); findings of one signal and subject merge in a verdict. */
  subject: string;
  weight: number;
  text: string;
  learn?: LearnedValues;
}

export interface Signal {
  name: SignalName;
  category: TriggerCategory;
  /** Quiet while the token is learning (it compares against the baseline). */
  drift: boolean;
  evaluate(ctx: SignalContext): SignalHit | SignalHit[] | undefined;
}

export const DAY_MS = 86_400_000;

/** `AS14061 (DigitalOcean, LLC; hosting)` */
export function describeAsn(ip: IpInfo): string {
  return `AS${ip.asn}${ip.asOrg ? ` (${ip.asOrg}; ${ip.asnClass.replace('_', '/')})` : ` (${ip.asnClass.replace('_', '/')})`}`;
}

/** "never seen in 30 days" against the span the baseline actually covers. */
export function neverSeen(b: Baseline, at: number, knownDays: number): string {
  const days = Math.max(1, Math.min(knownDays, Math.floor((at - b.firstSeen) / DAY_MS)));
  return `never seen in ${days} day${days === 1 ? '' : 's'}`;
}

/** Uses, as opposed to records about the grant or the owner. */
export function isUse(event: TokenUseEvent): boolean {
  return event.action === 'use' || event.action === 'refresh';
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
