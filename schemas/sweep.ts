// Hygiene sweeps and the persistence sweep (issue 7): what a connector's inventory holds, the flags
// a sweep raises on it, and the report a sweep returns. Pure zod: the workflow imports this file.
// Nothing here carries a secret value: credentials are the same secret-free shape identify returns.
import { z } from 'zod';
import { ContainmentInput } from './containment.ts';
import { Credential, CredentialRef, Principal, PrincipalStatus, PrincipalType, Provider } from './credential.ts';

/** Workflow type names (recorded in history, documented for Temporal-direct users: never rename). */
export const HYGIENE_SWEEP_WORKFLOW_TYPE = 'hygieneSweep';
export const PERSISTENCE_SWEEP_WORKFLOW_TYPE = 'persistenceSweep';

export const InventoryPrincipal = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  type: PrincipalType,
  status: PrincipalStatus,
  /** Last interactive sign-in, where the provider reports one. */
  lastLoginAt: z.string().optional(),
  /** When the principal was suspended or offboarded, where the provider reports it. */
  inactiveSince: z.string().optional(),
});
export type InventoryPrincipal = z.infer<typeof InventoryPrincipal>;

/** Everything one connector could list, and what it could not see (said, never silently skipped). */
export const InventoryResult = z.object({
  provider: Provider,
  takenAt: z.string(),
  credentials: z.array(Credential),
  principals: z.array(InventoryPrincipal),
  blindSpots: z.array(z.string()),
});
export type InventoryResult = z.infer<typeof InventoryResult>;

export const HYGIENE_FLAGS = ['unused', 'owner_inactive', 'over_broad_scope', 'shared', 'created_after_offboarding'] as const;
export const HygieneFlagKind = z.enum(HYGIENE_FLAGS);
export type HygieneFlagKind = z.infer<typeof HygieneFlagKind>;

export const HygieneFlag = z.object({ kind: HygieneFlagKind, detail: z.string() });
export type HygieneFlag = z.infer<typeof HygieneFlag>;

export const InventoryRow = z.object({
  credential: Credential,
  flags: z.array(HygieneFlag),
});
export type InventoryRow = z.infer<typeof InventoryRow>;

export const ProviderCoverage = z.object({
  provider: Provider,
  /** `unavailable`: the inventory call failed; its error says why, and nothing from it is in the rows. */
  state: z.enum(['inventoried', 'unavailable', 'unsupported']),
  credentials: z.number().int().min(0),
  blindSpots: z.array(z.string()),
  error: z.string().optional(),
});
export type ProviderCoverage = z.infer<typeof ProviderCoverage>;

export const HygienePolicy = z.object({
  unusedDays: z.number().int().min(1).max(3650).default(90),
  /** Scopes that grant far more than an integration needs, per provider; replaces the defaults when given. */
  overBroadScopes: z.record(z.string(), z.array(z.string())).optional(),
});
export type HygienePolicy = z.infer<typeof HygienePolicy>;

export const HygieneSweepInput = z
  .object({
    /** Providers to inventory; every provider the worker has a connector for when absent. */
    providers: z.array(Provider).optional(),
    policy: HygienePolicy.default(HygienePolicy.parse({})),
  })
  .strict();
export type HygieneSweepInput = z.input<typeof HygieneSweepInput>;

export const HygieneReport = z.object({
  generatedAt: z.string(),
  policy: z.object({ unusedDays: z.number().int(), overBroadScopes: z.record(z.string(), z.array(z.string())) }),
  coverage: z.array(ProviderCoverage),
  rows: z.array(InventoryRow),
  /** Ids of the rows with at least one flag, in row order. */
  flagged: z.array(z.string()),
});
export type HygieneReport = z.infer<typeof HygieneReport>;

/** After a containment: what the compromised credential's principal created in the exposure window. */
export const PersistenceSweepInput = z
  .object({
    provider: Provider,
    principal: Principal,
    /** The exposure window: from the earliest possible compromise to the end of the containment. */
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    /** The credentials the containment already handled (and its replacements): never offered again. */
    excludeIds: z.array(z.string()).default([]),
    /** The incident the containment ran for: each offer opens `<incident>-persist-<n>`. */
    incidentId: z.string().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/),
    requester: z.string().min(1).max(256).default('persistence-sweep'),
  })
  .strict();
export type PersistenceSweepInput = z.input<typeof PersistenceSweepInput>;

export const PersistenceFinding = z.object({
  credential: Credential,
  /** Why it is in the window: its creation time, or the provider's audit event. */
  evidence: z.string(),
  /** The ContainmentInput (JSON) that contains it, approval required; absent for Cordon's own path (I6). */
  offer: ContainmentInput.optional(),
});
export type PersistenceFinding = z.infer<typeof PersistenceFinding>;

export const PersistenceReport = z.object({
  provider: Provider,
  principalId: z.string(),
  from: z.string(),
  to: z.string(),
  findings: z.array(PersistenceFinding),
  blindSpots: z.array(z.string()),
});
export type PersistenceReport = z.infer<typeof PersistenceReport>;
