// What the drift watch concludes about a token (a verdict) and the policy it concludes by (docs/drift-watch.md).
// The watch (watch/) produces verdicts from TokenUseEvents; the API, the CLI and Slack show them; a staged
// containment starts from one. Pure zod: no Node built-ins, no SDKs.
import { z } from 'zod';
import { AuditProvider } from './token-use.ts';

/** The incident triggers practitioners use (issue 15), plus Cordon's own check after containment. */
export const TriggerCategory = z.enum([
  /** a new ASN, network class, country, user agent or client: infrastructure that was never approved */
  'new_infrastructure',
  /** use after the owner was suspended, offboarded or changed role, or after the app was retired */
  'owner_or_app_lifecycle',
  /** API chaining into adjacent systems the token never touched */
  'api_chaining',
  /** refresh-token activity after the parent session should have ended */
  'session_refresh',
  /** sudden scope expansion or call volume */
  'scope_or_volume',
  /** a token quiet for weeks that wakes up */
  'dormant_reactivation',
  /** no current owner, purpose or baseline: an incident until proven otherwise */
  'unattributed',
  /** used after Cordon revoked it: the containment did not hold */
  'use_after_revocation',
  /** the provider's own anomaly engine flagged it (Slack `anomaly`) */
  'provider_anomaly',
]);
export type TriggerCategory = z.infer<typeof TriggerCategory>;

/** One module under watch/signals/ each. */
export const SignalName = z.enum([
  'new_asn',
  'asn_class_change',
  'new_country',
  'impossible_travel',
  'new_user_agent',
  'scope_expansion',
  'volume_spike',
  'new_operation_family',
  'dormant_then_active',
  'use_after_lifecycle',
  'refresh_after_session_end',
  'use_after_revocation',
  'unattributed',
  'provider_anomaly',
  'target_sweep',
]);
export type SignalName = z.infer<typeof SignalName>;

export const VerdictSeverity = z.enum(['low', 'medium', 'high', 'critical']);
export type VerdictSeverity = z.infer<typeof VerdictSeverity>;

/**
 * What Cordon should do: `staged` opens a containment that waits for approval (the default at or above the
 * threshold); `direct` starts one at once, only for use after offboarding or after revocation and only when the
 * policy allows it; `none` below the threshold.
 */
export const RecommendedAction = z.enum(['none', 'staged', 'direct']);
export type RecommendedAction = z.infer<typeof RecommendedAction>;

/** The values a reason is about; a dismissal adds them to the token's baseline so they are known from then on. */
export const LearnedValues = z.strictObject({
  asns: z.array(z.number().int().nonnegative()).max(100).optional(),
  asnClasses: z.array(z.enum(['corporate_isp', 'cloud', 'hosting', 'anonymising'])).max(4).optional(),
  countries: z.array(z.string().length(2)).max(100).optional(),
  userAgents: z.array(z.string().max(1024)).max(100).optional(),
  clientClasses: z.array(z.string().max(64)).max(100).optional(),
  operationFamilies: z.array(z.string().max(256)).max(100).optional(),
  scopes: z.array(z.string().max(256)).max(200).optional(),
  /** the hourly volume seen: the baseline's spike floor rises to it */
  hourlyVolume: z.number().int().nonnegative().optional(),
});
export type LearnedValues = z.infer<typeof LearnedValues>;

export const VerdictReason = z.strictObject({
  signal: SignalName,
  category: TriggerCategory,
  /** What the finding is about (an ASN, a scope, a session…): findings of one signal and subject merge into one reason. */
  subject: z.string().max(1024),
  /** In words, e.g. "used from AS14061 (DigitalOcean, LLC; hosting), never seen in 30 days". */
  text: z.string().min(1).max(2000),
  /** The events behind it (the first ones, capped). */
  eventIds: z.array(z.string().min(1).max(512)).min(1).max(50),
  weight: z.number().int().min(0).max(100),
  firstAt: z.iso.datetime({ offset: true }),
  lastAt: z.iso.datetime({ offset: true }),
  learn: LearnedValues.optional(),
});
export type VerdictReason = z.infer<typeof VerdictReason>;

export const VerdictStatus = z.enum(['open', 'dismissed']);
export type VerdictStatus = z.infer<typeof VerdictStatus>;

export const Dismissal = z.strictObject({
  reason: z.string().min(1).max(2000),
  by: z.string().min(1).max(512),
  at: z.iso.datetime({ offset: true }),
});
export type Dismissal = z.infer<typeof Dismissal>;

export const Verdict = z.strictObject({
  id: z.string().min(1).max(128),
  tokenKey: z.string().min(1).max(512),
  provider: AuditProvider,
  principal: z.string().min(1).max(512),
  app: z.string().min(1).max(512).optional(),
  status: VerdictStatus,
  score: z.number().int().min(0).max(100),
  severity: VerdictSeverity,
  triggers: z.array(TriggerCategory).min(1),
  reasons: z.array(VerdictReason).min(1),
  action: RecommendedAction,
  openedAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  dismissal: Dismissal.optional(),
});
export type Verdict = z.infer<typeof Verdict>;

const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'must be a CIDR block such as 52.0.0.0/11 or 2600:1f00::/24');

/**
 * Vendor-managed automation rotates its addresses: for the tokens of an app or vendor (matched by app, token key
 * or principal), use from these ASNs, CIDR blocks or user agents never counts as new infrastructure.
 */
export const VendorAllowlist = z
  .strictObject({
    name: z.string().min(1).max(128),
    apps: z.array(z.string().min(1).max(512)).default([]),
    tokenKeys: z.array(z.string().min(1).max(512)).default([]),
    principals: z.array(z.string().min(1).max(512)).default([]),
    asns: z.array(z.number().int().nonnegative()).default([]),
    cidrs: z.array(cidr).default([]),
    /** case-insensitive substrings of the user agent */
    userAgents: z.array(z.string().min(1).max(256)).default([]),
  })
  .refine((v) => v.apps.length + v.tokenKeys.length + v.principals.length > 0, {
    message: 'must name at least one of apps, tokenKeys or principals (an allowlist for every token would blind the watch)',
    path: ['apps'],
  })
  .refine((v) => v.asns.length + v.cidrs.length + v.userAgents.length > 0, { message: 'must allow at least one of asns, cidrs or userAgents', path: ['asns'] });
export type VendorAllowlist = z.infer<typeof VendorAllowlist>;

/** A token's declared owner and purpose, for tokens whose events carry no app (a personal access token, a bot token). */
export const InventoryEntry = z
  .strictObject({
    tokenKey: z.string().min(1).max(512).optional(),
    app: z.string().min(1).max(512).optional(),
    owner: z.string().min(1).max(512),
    purpose: z.string().min(1).max(512),
  })
  .refine((e) => e.tokenKey !== undefined || e.app !== undefined, { message: 'must name a tokenKey or an app', path: ['tokenKey'] });
export type InventoryEntry = z.infer<typeof InventoryEntry>;

/** The watch's thresholds; every default is documented in docs/drift-watch.md ("Signals and thresholds"). */
export const WatchPolicy = z.strictObject({
  /** A token's verdict opens at this score (0–100). */
  threshold: z.number().int().min(1).max(100).default(50),
  /** Use after offboarding or after revocation recommends a direct containment instead of a staged one. */
  directContainment: z.boolean().default(false),
  /** No drift signal for a token until its baseline spans this many days and this many events. */
  learningDays: z.number().min(0).max(90).default(7),
  learningEvents: z.number().int().min(0).default(20),
  /** First-seen sets forget a value not seen for this many days. */
  knownDays: z.number().int().min(1).max(365).default(30),
  /** A volume spike: this hour's count above max(p99 × factor, p99 + minExcess), once the baseline has minActiveHours. */
  volumeFactor: z.number().min(1).default(5),
  volumeMinExcess: z.number().int().min(0).default(100),
  volumeMinActiveHours: z.number().int().min(1).default(24),
  /** Dormant then active: no use for this many days, then use. */
  dormantDays: z.number().min(1).default(14),
  /** Impossible travel: at least this far apart and faster than this (country centroids). */
  travelMinKm: z.number().min(0).default(500),
  travelMinKmh: z.number().min(1).default(800),
  /** Slack for clocks: a refresh this long after the session's end, a use this long after a revocation. */
  sessionGraceMinutes: z.number().min(0).default(5),
  revocationGraceSeconds: z.number().min(0).default(60),
  /** Events older than the token's last event by more than this are skipped as out of order (provider lag is less). */
  maxLatenessHours: z.number().min(0).default(72),
  vendors: z.array(VendorAllowlist).default([]),
  inventory: z.array(InventoryEntry).default([]),
});
export type WatchPolicy = z.infer<typeof WatchPolicy>;
export type WatchPolicyInput = z.input<typeof WatchPolicy>;

/** A revocation Cordon carried out: use of the token after it is the containment failing. */
export const Revocation = z.strictObject({ tokenKey: z.string().min(1).max(512), at: z.iso.datetime({ offset: true }) });
export type Revocation = z.infer<typeof Revocation>;
