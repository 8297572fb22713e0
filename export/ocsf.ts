// A containment's evidence as OCSF 1.8.0 events (issue 13, part 5), for SIEMs:
//   - Incident Finding (2005): Create when the run starts, Close when it finishes;
//   - Remediation Activity (7001): one per containment step, with its MITRE D3FEND countermeasure
//     (revoke and fallback = Evict, replace and re-authentication = Restore, restriction and cut-off =
//     Isolate, verification = Detect);
//   - Account Change (3001): principal changes (forced re-authentication, a suspended principal);
//   - API Activity (6003): each provider call that returned a request id, and each decision, refused
//     decision and cancel request a person sent, with who authenticated them as the actor;
//   - Compliance Finding (2003): one per control the run exercised (./frameworks.ts).
// Every event's metadata.uid is derived from the workflow id, the evidence seq and the class, so a
// receiver that gets an event twice (delivery is at least once) can drop the copy. The JSON Schemas in
// ./ocsf-schemas/ (generated offline, see generate.sh there) check every class in ocsf.test.ts.
import { createHash } from 'node:crypto';
import type { ExportEvent, ExportKind, ExportRun } from './events.ts';
import { controlReport, FRAMEWORKS, type ControlEntry } from './frameworks.ts';

export const OCSF_VERSION = '1.8.0';
export const OCSF_CLASSES = { complianceFinding: 2003, incidentFinding: 2005, accountChange: 3001, apiActivity: 6003, remediationActivity: 7001 } as const;
const CATEGORY_OF: Record<number, number> = { 2003: 2, 2005: 2, 3001: 3, 6003: 6, 7001: 7 };

export type OcsfEvent = Record<string, unknown> & { class_uid: number; activity_id: number; type_uid: number; time: number; metadata: Record<string, unknown> & { uid: string; version: string } };

const SEVERITY = { unknown: 0, informational: 1, low: 2, medium: 3, high: 4, critical: 5 } as const;
export type OcsfSeverity = keyof typeof SEVERITY;

/** Stable across exports and deliveries of the same run: what receivers deduplicate on. */
export function ocsfEventUid(workflowId: string, part: number | string, classUid: number): string {
  return createHash('sha256').update(`${workflowId}|${part}|${classUid}`).digest('hex').slice(0, 32);
}

const ms = (iso: string) => new Date(iso).getTime();

function base(run: ExportRun, classUid: number, activityId: number, part: number | string, at: string, severity: OcsfSeverity, product: ProductInfo) {
  return {
    class_uid: classUid,
    category_uid: CATEGORY_OF[classUid]!,
    activity_id: activityId,
    type_uid: classUid * 100 + activityId,
    time: ms(at),
    severity_id: SEVERITY[severity],
    metadata: {
      uid: ocsfEventUid(run.workflowId, part, classUid),
      version: OCSF_VERSION,
      product: { name: 'Cordon', vendor_name: 'Cordon', ...(product.version ? { version: product.version } : {}) },
      correlation_uid: run.workflowId,
      ...(typeof part === 'number' ? { sequence: part } : {}),
      ...(run.digest ? { labels: [`evidence-digest:${run.digest}`] } : {}),
    },
  };
}

interface D3fend {
  tactic: 'Evict' | 'Restore' | 'Isolate' | 'Detect';
  technique?: { uid: string; name: string; path: string };
}

/** The OCSF Remediation Activity ids of the D3FEND tactics (Isolate 1, Evict 2, Restore 3, Detect 5). */
const REMEDIATION_ACTIVITY = { Isolate: 1, Evict: 2, Restore: 3, Detect: 5 } as const;

const EVICT_CREDENTIAL: D3fend = { tactic: 'Evict', technique: { uid: 'D3-CR', name: 'Credential Revocation', path: 'CredentialRevocation' } };
const ROTATE: D3fend = { tactic: 'Restore', technique: { uid: 'D3-CRO', name: 'Credential Rotation', path: 'CredentialRotation' } };
const END_SESSIONS: D3fend = { tactic: 'Restore', technique: { uid: 'D3-ST', name: 'Session Termination', path: 'SessionTermination' } };
const FILTER: D3fend = { tactic: 'Isolate', technique: { uid: 'D3-NTF', name: 'Network Traffic Filtering', path: 'NetworkTrafficFiltering' } };

/** The steps that are remediation, each with its D3FEND tactic and technique (d3fend.mitre.org); failed attempts included. */
const REMEDIATION: Partial<Record<ExportKind, D3fend>> = {
  revoked: EVICT_CREDENTIAL,
  re_revoked: EVICT_CREDENTIAL,
  revoke_by_value_not_possible: EVICT_CREDENTIAL,
  replaced: ROTATE,
  replacement_not_possible: ROTATE,
  reauthenticated: END_SESSIONS,
  reauth_not_possible: END_SESSIONS,
  restricted: FILTER,
  restriction_not_possible: FILTER,
  unrestricted: { tactic: 'Restore' },
  unrestrict_failed: { tactic: 'Restore' },
  cut_off: { tactic: 'Isolate' },
  verified: { tactic: 'Detect' },
};

/** A fallback rung's countermeasure depends on the rung. */
const FALLBACK: Record<string, D3fend> = {
  revokeAllForClient: EVICT_CREDENTIAL,
  blockApp: { tactic: 'Evict' },
  suspendPrincipal: { tactic: 'Evict', technique: { uid: 'D3-AL', name: 'Account Locking', path: 'AccountLocking' } },
};

/** OCSF API Activity ids by step: Create 1, Read 2, Update 3, Delete 4. */
const API_ACTIVITY: Partial<Record<ExportKind, number>> = {
  identified: 2,
  enriched: 2,
  verified: 2,
  replaced: 1,
  revoked: 4,
  re_revoked: 4,
  restricted: 3,
  unrestricted: 3,
  reauthenticated: 3,
  fallback_rung: 3,
  cut_off: 3,
};

function remediationOf(run: ExportRun, e: ExportEvent, d: D3fend, product: ProductInfo): OcsfEvent {
  const countermeasure = {
    d3f_tactic: { name: d.tactic, uid: `d3f:${d.tactic}`, src_url: `https://d3fend.mitre.org/tactic/d3f:${d.tactic}/` },
    ...(d.technique ? { d3f_technique: { name: d.technique.name, uid: d.technique.uid, src_url: `https://d3fend.mitre.org/technique/d3f:${d.technique.path}/` } } : {}),
  };
  return {
    ...base(run, OCSF_CLASSES.remediationActivity, REMEDIATION_ACTIVITY[d.tactic], e.seq, e.at, 'informational', product),
    activity_name: d.tactic,
    command_uid: `${run.workflowId}#${e.seq}`,
    status_id: e.succeeded ? 1 : 2,
    status: e.succeeded ? 'Success' : 'Failure',
    message: e.summary,
    countermeasures: [countermeasure],
    remediation: { desc: e.summary },
    ...(e.credentialKey ? { unmapped: { credential_key: e.credentialKey } } : {}),
  } as OcsfEvent;
}

/** Principal changes: forced re-authentication (Other: its sessions and tokens end) and a suspended principal (Disable). */
function accountChangeOf(run: ExportRun, e: ExportEvent, product: ProductInfo): OcsfEvent | undefined {
  const suspended = e.kind === 'fallback_rung' && e.rung === 'suspendPrincipal';
  if (e.kind !== 'reauthenticated' && e.kind !== 'reauth_not_possible' && !suspended) return undefined;
  const principal = e.principal ?? e.credentialKey ?? 'unknown';
  return {
    ...base(run, OCSF_CLASSES.accountChange, suspended ? 5 : 99, e.seq, e.at, 'informational', product),
    activity_name: suspended ? 'Disable' : 'Force re-authentication',
    status_id: e.succeeded ? 1 : 2,
    message: e.summary,
    user: { uid: principal, ...(e.provider ? { domain: e.provider } : {}) },
    actor: { app_name: 'Cordon' },
  } as OcsfEvent;
}

/** The `decide` update and the signals people send through a way in: operations on the containment itself. */
const OPERATION_ON_RUN: Partial<Record<ExportKind, string>> = { approval_decided: 'decide', approval_refused: 'decide', cancel_requested: 'recordCancelRequest' };

/**
 * A person's decision, refused decision or cancel request, as an API Activity (Update) on the
 * containment: `actor` is who the way in authenticated (user, Slack as the identity provider, the API
 * key as the credential), `src_endpoint` the channel. An unauthenticated Temporal-direct call names
 * only what it said, with `unmapped.authenticated_by` `unauthenticated` (docs/trust-model.md).
 */
function personActivityOf(run: ExportRun, e: ExportEvent, product: ProductInfo): OcsfEvent | undefined {
  const auth = e.authentication;
  const operation = OPERATION_ON_RUN[e.kind];
  if (!auth || !operation) return undefined;
  const id = auth.identity;
  const actor =
    id?.authenticatedBy === 'slack_signature'
      ? { user: { uid: id.slackUserId, name: e.actor }, idp: { name: 'Slack', ...(id.slackTeamId ? { tenant_uid: id.slackTeamId } : {}) }, app_name: 'Cordon Slack app' }
      : id?.authenticatedBy === 'api_key'
        ? { user: { uid: id.principal, name: e.actor, credential_uid: id.apiKeyName }, app_name: 'Cordon API' }
        : id?.authenticatedBy === 'cli'
          ? { user: { uid: id.user, name: e.actor }, app_name: 'Cordon CLI' }
          : { user: { name: e.actor } };
  return {
    ...base(run, OCSF_CLASSES.apiActivity, 3, e.seq, e.at, 'informational', product),
    activity_name: 'Update',
    status_id: e.succeeded ? 1 : 2,
    message: e.summary,
    actor,
    api: { operation, service: { name: 'cordon' } },
    src_endpoint: { name: auth.channel },
    unmapped: {
      authenticated_by: auth.authenticatedBy,
      ...(id?.authenticatedBy === 'cli' ? { identity_source: id.source } : {}),
      ...(auth.claimedChannel ? { claimed_channel: auth.claimedChannel } : {}),
      ...(auth.envelopeRefused ? { envelope_refused: auth.envelopeRefused } : {}),
    },
  } as OcsfEvent;
}

function apiActivityOf(run: ExportRun, e: ExportEvent, product: ProductInfo): OcsfEvent | undefined {
  if (!e.requestId) return personActivityOf(run, e, product);
  return {
    ...base(run, OCSF_CLASSES.apiActivity, API_ACTIVITY[e.kind] ?? 99, e.seq, e.at, 'informational', product),
    status_id: e.succeeded ? 1 : 2,
    message: e.summary,
    actor: { app_name: 'Cordon' },
    api: { operation: e.kind, request: { uid: e.requestId }, ...(e.provider ? { service: { name: e.provider } } : {}) },
    src_endpoint: { name: 'cordon-worker' },
  } as OcsfEvent;
}

const FINISHED_STATUS: Record<ExportRun['outcome'], number> = { running: 2, contained: 4, contained_in_tenant: 4, not_contained: 99, refused: 99, rejected: 99, cancelled: 99 };

function incidentFindings(run: ExportRun, product: ProductInfo, severity: OcsfSeverity): OcsfEvent[] {
  const finding = (at: string) => ({
    uid: run.workflowId,
    title: `Stolen credential containment for incident ${run.incidentId}`,
    created_time: ms(run.startedAt),
    modified_time: ms(at),
    types: ['Credential compromise'],
  });
  const common = { assignee: { name: 'cordon', type: 'System', type_id: 3 }, is_suspected_breach: true, ...(run.planDigest ? { unmapped: { plan_digest: run.planDigest } } : {}) };
  const started = run.events.find((e) => e.kind === 'started');
  const out: OcsfEvent[] = [
    {
      ...base(run, OCSF_CLASSES.incidentFinding, 1, started?.seq ?? 0, run.startedAt, severity, product),
      activity_name: 'Create',
      status_id: 2,
      status: 'In Progress',
      finding_info_list: [finding(run.startedAt)],
      message: `containment of incident ${run.incidentId} started`,
      ...common,
    } as OcsfEvent,
  ];
  const finished = run.events.find((e) => e.kind === 'finished');
  if (finished && run.outcome !== 'running') {
    out.push({
      ...base(run, OCSF_CLASSES.incidentFinding, 3, finished.seq, finished.at, severity, product),
      activity_name: 'Close',
      status_id: FINISHED_STATUS[run.outcome],
      status: run.outcome === 'contained' || run.outcome === 'contained_in_tenant' ? 'Resolved' : run.outcome,
      ...(FINISHED_STATUS[run.outcome] === 99 ? { status_detail: run.outcomeReason ?? run.outcome } : {}),
      finding_info_list: [finding(finished.at)],
      end_time: ms(finished.at),
      message: `containment of incident ${run.incidentId} finished: ${run.outcome}${run.outcomeReason ? ` (${run.outcomeReason})` : ''}`,
      ...common,
    } as OcsfEvent);
  }
  return out;
}

const COMPLIANCE_STATUS = { met: { id: 1, name: 'Pass' }, partly_met: { id: 2, name: 'Warning' }, not_met: { id: 3, name: 'Fail' } } as const;

function complianceFindingOf(run: ExportRun, c: ControlEntry, product: ProductInfo): OcsfEvent {
  const last = c.events[c.events.length - 1]!;
  const status = COMPLIANCE_STATUS[c.status];
  return {
    ...base(run, OCSF_CLASSES.complianceFinding, 1, `${c.framework}:${c.id}`, last.at, c.status === 'met' ? 'informational' : 'medium', product),
    activity_name: 'Create',
    status_id: 1,
    compliance: {
      standards: [FRAMEWORKS[c.framework].name],
      control: c.id,
      desc: c.title,
      status_id: status.id,
      status: status.name,
    },
    finding_info: {
      uid: `${run.workflowId}:${c.framework}:${c.id}`,
      title: `${FRAMEWORKS[c.framework].short} ${c.id} exercised by containment ${run.workflowId}`,
      // The evidence events themselves (`<workflow id>#<seq>`, as in a Remediation Activity's command_uid).
      related_events: c.events.map((e) => ({ uid: `${run.workflowId}#${e.seq}`, title: e.summary, ...(e.hash ? { product_uid: e.hash } : {}) })),
      related_events_count: c.events.length,
    },
    message: `${c.events.length} event(s): seq ${c.events.map((e) => e.seq).join(', ')}`,
  } as OcsfEvent;
}

export interface ProductInfo {
  version?: string;
}

/** Every OCSF event of one run, in evidence order, then the compliance findings. */
export function ocsfEventsOf(run: ExportRun, options: { product?: ProductInfo; severity?: OcsfSeverity } = {}): OcsfEvent[] {
  const product = options.product ?? {};
  const out: OcsfEvent[] = [...incidentFindings(run, product, options.severity ?? 'unknown')];
  for (const e of run.events) {
    const d = e.kind === 'fallback_rung' ? FALLBACK[e.rung ?? ''] : REMEDIATION[e.kind];
    if (d) out.push(remediationOf(run, e, d, product));
    const account = accountChangeOf(run, e, product);
    if (account) out.push(account);
    const api = apiActivityOf(run, e, product);
    if (api) out.push(api);
  }
  for (const c of controlReport(run.events)) out.push(complianceFindingOf(run, c, product));
  return out.sort((a, b) => a.time - b.time || a.class_uid - b.class_uid);
}
