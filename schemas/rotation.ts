// Rotation policies (issue 17, docs/rotation.md): which long-lived credentials are rotated on a schedule, how
// old they may grow, and what happens when a consumer does not move to its replacement. A planned rotation runs
// the staged order — mint one replacement per consumer, deliver it, wait for evidence that the consumer switched,
// then revoke the old credential and verify — because nothing is known to be stolen: design.md I1 ("revoke
// first") governs the direct containment of a stolen credential, not this. Pure zod: workflows import this file.
import { z } from 'zod';
import { Credential, CredentialKind, Provider, ReplacementRef, type Credential as CredentialT } from './credential.ts';
import { authentication } from './evidence.ts';

/** Workflow type names (recorded in history, documented for Temporal-direct users: never rename). */
export const ROTATION_RUN_WORKFLOW_TYPE = 'rotationRun';
export const ROTATE_CREDENTIAL_WORKFLOW_TYPE = 'rotateCredential';
export const ROTATION_SCHEDULE_ID = 'cordon-rotation';

const Duration = z.string().regex(/^\d+(s|m|h|d)$/, 'a duration is a number followed by s, m, h or d (e.g. 90d)');
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM (24 h, UTC)');
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * What an admin can mint per provider, so a staged rotation can run without the owner: every other kind needs its
 * owner (a user's consent, a personal token) and a policy can only report it (mode `report`). From the connectors'
 * replace() (docs/providers.md, "Replace").
 */
export const ADMIN_MINTABLE: Readonly<Record<Provider, readonly CredentialKind[]>> = {
  google: ['service_account_key'],
  github: ['deploy_key', 'app_installation_token'],
  // The JWT-bearer access token Cordon can mint lives for hours; the long-lived grant needs the user's consent.
  salesforce: [],
  slack: [],
  memory: ['api_key', 'oauth_token', 'service_account_key', 'pat', 'deploy_key'],
};

export const RotationMatch = z
  .object({
    provider: Provider,
    /** Credential kinds; every kind of the provider when omitted. */
    kinds: z.array(CredentialKind).min(1).optional(),
    /** The owner: a principal id, or a pattern with `*` (e.g. `ci-*@load-project-01.iam.gserviceaccount.com`). */
    principal: z.string().min(1).max(512).optional(),
    /** A credential whose label contains this text. */
    label: z.string().min(1).max(256).optional(),
    /** A credential that carries this scope. */
    scope: z.string().min(1).max(512).optional(),
  })
  .strict();
export type RotationMatch = z.infer<typeof RotationMatch>;

export const MaintenanceWindow = z
  .object({
    /** Days the window opens (UTC); every day when omitted. */
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    start: ClockTime,
    end: ClockTime,
  })
  .strict()
  .refine((w) => w.start !== w.end, { message: 'a window needs start and end to differ', path: ['end'] });
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const RotationPolicy = z
  .object({
    /** Names the policy in reports and Schedules: lowercase letters, digits and dashes. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a policy name is lowercase letters, digits and dashes (at most 63)'),
    match: RotationMatch,
    /** A credential older than this is due. */
    maxAge: Duration,
    /** `staged`: rotate (mint, deliver, wait for the switch, revoke). `report`: list what is due, write nothing. */
    mode: z.enum(['staged', 'report']).default('staged'),
    /** Who may approve this policy's rotations (Slack user ids, API principals). */
    approvers: z.array(z.string().min(1)).default([]),
    /** Each rotation waits for one approver's decision before it mints anything. */
    requireApproval: z.boolean().default(false),
    /**
     * An approval must come through an authenticated way in (a signed envelope from Slack, the API or the CLI);
     * an unauthenticated Temporal-direct decision is refused and recorded (docs/trust-model.md).
     */
    requireAuthenticated: z.boolean().default(true),
    /** Replacements are minted only inside this window (UTC); anytime when omitted. */
    window: MaintenanceWindow.optional(),
    /** How long a rotation waits for every consumer to switch before the deadline action. */
    switchDeadline: Duration.default('7d'),
    /** How often the provider's last-use record is read while waiting. */
    checkEvery: Duration.default('1h'),
    /** At the deadline: keep the old credential and escalate to people, or revoke it anyway (its consumers break). */
    onDeadline: z.enum(['hold_and_escalate', 'revoke']).default('hold_and_escalate'),
    /** Rotations started per minute for this policy's provider, under its write rate limits (default 30). */
    perMinute: z.number().int().min(1).max(600).default(30),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.requireApproval && p.approvers.length === 0) ctx.addIssue({ code: 'custom', path: ['approvers'], message: 'requireApproval needs at least one approver' });
    if (p.mode === 'staged') {
      const mintable = ADMIN_MINTABLE[p.match.provider];
      const kinds = p.match.kinds ?? [];
      const needOwner = kinds.filter((k) => !mintable.includes(k));
      if (!kinds.length && !mintable.length)
        ctx.addIssue({ code: 'custom', path: ['mode'], message: `${p.match.provider}: no credential kind can be minted by an admin; use mode "report" (its owners rotate)` });
      if (needOwner.length)
        ctx.addIssue({
          code: 'custom',
          path: ['match', 'kinds'],
          message: `${p.match.provider} ${needOwner.join(', ')}: an admin cannot mint a replacement (${mintable.length ? `only ${mintable.join(', ')}` : 'none can be'}); use mode "report" for these`,
        });
    }
  });
export type RotationPolicy = z.infer<typeof RotationPolicy>;
export type RotationPolicyInput = z.input<typeof RotationPolicy>;

export const RotationPolicies = z
  .object({ policies: z.array(RotationPolicy).min(1, 'give at least one policy') })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.policies.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['policies', i, 'name'], message: `duplicate policy name ${p.name}` });
      seen.add(p.name);
    });
  });
export type RotationPolicies = z.infer<typeof RotationPolicies>;

/** Parses a policy file's JSON; a bad one throws naming the field and the reason (`policies.0.maxAge: …`). */
export function parseRotationPolicies(raw: unknown): RotationPolicies {
  const parsed = RotationPolicies.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(`rotation policies: ${lines.join('; ')}`);
}

export const RotationRunInput = z
  .object({
    policies: z.array(RotationPolicy).min(1),
    /** Plan only: what is due, nothing written. */
    dryRun: z.boolean().default(false),
    /** Only these credentials (credential keys, `provider:id`), whatever their age: the one-step rotation of a flagged credential. */
    only: z.array(z.string().min(1)).optional(),
    requester: z.string().min(1).default('rotation-schedule'),
  })
  .strict();
export type RotationRunInput = z.input<typeof RotationRunInput>;

/** One credential a policy rotates, with the deterministic id of its rotation. */
export const RotationItem = z.object({
  policy: z.string(),
  credential: Credential,
  ageDays: z.number().optional(),
  workflowId: z.string(),
});
export type RotationItem = z.infer<typeof RotationItem>;

export const RotationSkip = z.object({
  policy: z.string(),
  credentialId: z.string(),
  label: z.string(),
  /** Why it is not rotated (Cordon's own key, no consumer on record, needs its owner, report mode). */
  reason: z.string(),
});
export type RotationSkip = z.infer<typeof RotationSkip>;

export const RotationPlan = z.object({
  policy: z.string(),
  provider: Provider,
  due: z.array(RotationItem),
  skipped: z.array(RotationSkip),
  /** Credentials matched but younger than maxAge. */
  notDue: z.number().int(),
  blindSpots: z.array(z.string()),
  /** The provider could not be listed: why. */
  error: z.string().optional(),
});
export type RotationPlan = z.infer<typeof RotationPlan>;

/** The rotation of one credential: its deterministic workflow id (one rotation per credential at a time). */
export const rotationWorkflowId = (credentialKey: string) => `cordon-rotate-${credentialKey}`;

export const RotationState = z.enum(['awaiting_approval', 'waiting_for_window', 'minting', 'waiting_for_switch', 'rotated', 'revoked_at_deadline', 'held', 'rejected', 'failed']);
export type RotationState = z.infer<typeof RotationState>;
export const FINAL_ROTATION_STATES: readonly RotationState[] = ['rotated', 'revoked_at_deadline', 'held', 'rejected', 'failed'];

const LastUse = z.object({ credentialId: z.string(), lastUsedAt: z.string().optional() });

/** The rotation's evidence: data, rendered to words in one place (reports/rotation-text.ts). */
export const RotationEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('planned'), at: z.string(), policy: z.string(), maxAge: z.string(), ageDays: z.number().optional(), order: z.literal('staged'), consumers: z.array(z.string()) }),
  z.object({ kind: z.literal('approval_requested'), at: z.string(), approvers: z.array(z.string()) }),
  // channel, authenticatedBy, identity…: how the approver was authenticated (absent on rotations from before signed approvals).
  z.object({ kind: z.literal('approval_decided'), at: z.string(), approver: z.string(), decision: z.enum(['approve', 'reject']), reason: z.string().optional(), channel: z.string().optional(), ...authentication }),
  z.object({ kind: z.literal('approval_refused'), at: z.string(), approver: z.string(), reason: z.string(), channel: z.string(), ...authentication }),
  z.object({ kind: z.literal('window_wait'), at: z.string(), until: z.string() }),
  z.object({ kind: z.literal('replacement_delivered'), at: z.string(), consumerId: z.string(), replacementId: z.string(), fingerprint: z.string(), sink: z.string(), note: z.string().optional() }),
  z.object({ kind: z.literal('replacement_owned_elsewhere'), at: z.string(), consumerId: z.string(), ownedBy: z.string() }),
  z.object({ kind: z.literal('switch_unobservable'), at: z.string(), reason: z.string() }),
  z.object({ kind: z.literal('switch_seen'), at: z.string(), old: LastUse, replacements: z.array(LastUse), source: z.string() }),
  z.object({ kind: z.literal('deadline_reached'), at: z.string(), action: z.enum(['hold_and_escalate', 'revoke']), waitingFor: z.array(z.string()), old: LastUse.optional() }),
  z.object({ kind: z.literal('escalated'), at: z.string(), summary: z.string() }),
  z.object({ kind: z.literal('revoked'), at: z.string(), outcome: z.enum(['done', 'already_done']), requestId: z.string().optional() }),
  // othersActive: credentials of the same principal and kind neither this rotation's nor another Cordon run's (reported, never touched).
  z.object({ kind: z.literal('verified'), at: z.string(), oldActive: z.boolean(), othersActive: z.number().int() }),
  z.object({ kind: z.literal('failed'), at: z.string(), step: z.string(), error: z.string() }),
]);
export type RotationEvent = z.infer<typeof RotationEvent>;

/** An approver's decision on a rotation (the `decideRotation` update); a way in wraps it in a signed envelope. */
export const RotationDecision = z.object({
  approver: z.string().min(1).max(256),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().max(500).optional(),
  /** The way in the message says it came through; only its envelope proves it. */
  channel: z.string().max(32).optional(),
});
export type RotationDecision = z.infer<typeof RotationDecision>;

export const RotateCredentialInput = z.object({
  policy: RotationPolicy,
  credential: Credential,
  ageDays: z.number().optional(),
  requester: z.string().min(1),
});
export type RotateCredentialInput = z.input<typeof RotateCredentialInput>;

export const ConsumerSwitch = z.object({
  consumerId: z.string(),
  replacementId: z.string().optional(),
  /** Seen signing in with its replacement. */
  switched: z.boolean(),
});

export const RotationResult = z.object({
  workflowId: z.string(),
  policy: z.string(),
  provider: Provider,
  credentialId: z.string(),
  label: z.string(),
  state: RotationState,
  /** Why it ended where it did, in words, when not rotated. */
  reason: z.string().optional(),
  replacements: z.array(ReplacementRef),
  consumers: z.array(ConsumerSwitch),
  evidence: z.array(RotationEvent),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
});
export type RotationResult = z.infer<typeof RotationResult>;

export const RotationRunEntry = z.object({
  workflowId: z.string(),
  credentialId: z.string(),
  label: z.string(),
  policy: z.string(),
  /** `already_running`: a rotation of this credential was running; this run left it alone. */
  start: z.enum(['started', 'already_running', 'planned']),
  result: RotationResult.optional(),
  /** The rotation's workflow itself failed (its evidence is in its history): why. */
  error: z.string().optional(),
});
export type RotationRunEntry = z.infer<typeof RotationRunEntry>;

export const RotationRunReport = z.object({
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  dryRun: z.boolean(),
  plans: z.array(RotationPlan),
  entries: z.array(RotationRunEntry),
});
export type RotationRunReport = z.infer<typeof RotationRunReport>;

/** Does the policy's match cover this credential (age aside)? */
export function policyMatches(match: RotationMatch, c: CredentialT): boolean {
  if (c.provider !== match.provider) return false;
  if (match.kinds && !match.kinds.includes(c.kind)) return false;
  if (match.principal && !globMatch(match.principal, c.principal.id)) return false;
  if (match.label && !c.label.includes(match.label)) return false;
  if (match.scope && !c.scopes.includes(match.scope)) return false;
  return true;
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/** The next time `at` or after it that the window is open; `at` itself when it is open or there is no window. */
export function nextWindowStart(window: MaintenanceWindow | undefined, at: number): number {
  if (!window) return at;
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  const [start, end] = [minutes(window.start), minutes(window.end)];
  const open = (t: number) => {
    const d = new Date(t);
    const m = d.getUTCHours() * 60 + d.getUTCMinutes();
    // A window past midnight (22:00–02:00) belongs to the day it opened.
    const inside = start < end ? m >= start && m < end : m >= start || m < end;
    const openedOn = start < end || m >= start ? d.getUTCDay() : (d.getUTCDay() + 6) % 7;
    return inside && (!window.days || window.days.includes(WEEKDAYS[openedOn]!));
  };
  if (open(at)) return at;
  // Step through the next eight days minute by minute at the window's start times only.
  const day = 86_400_000;
  const base = Math.floor(at / day) * day;
  for (let i = 0; i <= 8; i++) {
    const candidate = base + i * day + start * 60_000;
    if (candidate >= at && open(candidate)) return candidate;
  }
  throw new Error('the maintenance window never opens: check its days');
}

/**
 * Has every consumer moved to its replacement? Each replacement must have authenticated since it was issued, and
 * the old credential's last use must come before every replacement's (its use stopped while theirs started).
 * Times are compared in whole seconds: providers record them so.
 */
export function judgeSwitch(
  old: { lastUsedAt?: string | undefined },
  replacements: readonly { consumerId: string; issuedAt: string; lastUsedAt?: string | undefined }[],
): { switched: boolean; waitingFor: string[]; oldStillUsed: boolean } {
  const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const waitingFor = replacements.filter((r) => !r.lastUsedAt || sec(r.lastUsedAt) < sec(r.issuedAt)).map((r) => r.consumerId);
  const firstOfNew = Math.min(...replacements.filter((r) => r.lastUsedAt).map((r) => sec(r.lastUsedAt!)));
  const oldStillUsed = old.lastUsedAt !== undefined && sec(old.lastUsedAt) >= firstOfNew;
  return { switched: replacements.length > 0 && waitingFor.length === 0 && !oldStillUsed, waitingFor, oldStillUsed };
}

/**
 * One past containment as the "unrotated since" flag reads it (from Cordon's own history: each finished
 * `containCredential` run's result): when it started, and the principals and apps (OAuth client ids) it touched.
 */
export const PastIncident = z.object({
  incidentId: z.string(),
  workflowId: z.string(),
  startedAt: z.string(),
  outcome: z.string(),
  principals: z.array(z.object({ provider: Provider, id: z.string() })),
  apps: z.array(z.object({ provider: Provider, clientId: z.string() })),
});
export type PastIncident = z.infer<typeof PastIncident>;

export const UnrotatedFlag = z.object({
  credential: Credential,
  incidentId: z.string(),
  containmentWorkflowId: z.string(),
  containmentStartedAt: z.string(),
  shares: z.enum(['principal', 'app']),
  /** In words: "key … of ci-0000@… is older than incident INC-7 (2026-11-27) and shares its principal". */
  detail: z.string(),
});
export type UnrotatedFlag = z.infer<typeof UnrotatedFlag>;

/**
 * The "unrotated since incident X" flag: every live credential that shares a principal or an app with a past
 * containment and was created before that containment started. A credential with no creation time on record
 * cannot be shown older and is returned in `unknownAge` instead. Each credential is flagged once, for its
 * latest such incident.
 */
export function flagUnrotated(incidents: readonly PastIncident[], credentials: readonly CredentialT[]): { flags: UnrotatedFlag[]; unknownAge: { credential: CredentialT; incidentId: string }[] } {
  const flags = new Map<string, UnrotatedFlag>();
  const unknownAge = new Map<string, { credential: CredentialT; incidentId: string }>();
  const latestFirst = [...incidents].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  for (const c of credentials) {
    const key = `${c.provider}:${c.id}`;
    for (const inc of latestFirst) {
      const byPrincipal = inc.principals.some((p) => p.provider === c.provider && p.id === c.principal.id);
      const byApp = !!c.clientId && inc.apps.some((a) => a.provider === c.provider && a.clientId === c.clientId);
      if (!byPrincipal && !byApp) continue;
      if (!c.createdAt || Number.isNaN(Date.parse(c.createdAt))) {
        if (!unknownAge.has(key)) unknownAge.set(key, { credential: c, incidentId: inc.incidentId });
        continue;
      }
      if (Date.parse(c.createdAt) >= Date.parse(inc.startedAt)) continue;
      const shares = byPrincipal ? 'principal' : 'app';
      flags.set(key, {
        credential: c,
        incidentId: inc.incidentId,
        containmentWorkflowId: inc.workflowId,
        containmentStartedAt: inc.startedAt,
        shares,
        detail: `${c.label} was created ${c.createdAt.slice(0, 10)}, before incident ${inc.incidentId} (${inc.startedAt.slice(0, 10)}), and shares its ${shares === 'principal' ? `principal ${c.principal.id}` : `app ${c.clientId}`}: unrotated since`,
      });
      break;
    }
  }
  return { flags: [...flags.values()], unknownAge: [...unknownAge.values()].filter((u) => !flags.has(`${u.credential.provider}:${u.credential.id}`)) };
}

/** The policy a one-step rotation of a flagged credential runs under when none is given: staged, hold and escalate at 7 days. */
export function oneStepPolicy(provider: Provider): RotationPolicy {
  return RotationPolicy.parse({ name: `one-step-${provider}`, match: { provider }, maxAge: '0s', mode: ADMIN_MINTABLE[provider].length ? 'staged' : 'report' });
}

/** POST /v1/rotations: rotate one credential now (a flagged one, in one call), under the one-step policy. */
export const StartRotationBody = z
  .object({ credentialId: z.string().regex(/^(google|github|salesforce|slack|memory):.+$/, 'a credential key: <provider>:<credential id>, as the flag lists it').max(1024) })
  .strict();
export type StartRotationBody = z.infer<typeof StartRotationBody>;
/** The flag as `cordon rotate unrotated --json` and `GET /v1/rotations/unrotated` give it. */
export const UnrotatedList = z.object({
  /** The past containments read from Cordon's history. */
  incidents: z.array(PastIncident),
  /** Each flagged credential once, for its latest such incident; rotate one with `POST /v1/rotations`. */
  flags: z.array(UnrotatedFlag),
  /** Related to an incident but with no creation time on record: cannot be shown older. */
  unknownAge: z.array(z.object({ credentialId: z.string(), label: z.string(), incidentId: z.string() })),
});
export type UnrotatedList = z.infer<typeof UnrotatedList>;
/** `GET /v1/rotations/unrotated?provider=…`: only that provider's credentials (flagged and of unknown age). */
export const UnrotatedQuery = z.object({ provider: z.enum(['google', 'github', 'salesforce', 'slack']).optional() }).strict();

export const StartedRotation = z.object({ workflowId: z.string(), credentialId: z.string() });
export type StartedRotation = z.infer<typeof StartedRotation>;
