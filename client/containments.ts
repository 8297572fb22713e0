// Starting and driving containments: the one client-side path that Slack, the HTTP API, the CLI and
// the tests share. Validates with the shared schemas before anything is started.
import { createHash } from 'node:crypto';
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type ConnectionLike, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { ContainmentInput, WORKFLOW_ID_PREFIX, type ApprovalDecisionInput, type CancelRequest, type ContainmentRequest, type ContainmentStatus, type RefusedDecision } from '../schemas/containment.ts';
import { FAILURE_TYPES } from '../schemas/failure-types.ts';
import type { CredentialRef } from '../schemas/credential.ts';
import { fingerprintOf } from '../connectors/fingerprint.ts';
import { cordonDataConverter, type CodecKeys } from '../codec/encryption-codec.ts';
import { signEnvelope, type Vouch } from '../codec/decision-envelope.ts';
import { cancelRequestSignal, decideUpdate, refusalSignal, statusQuery, WORKFLOW_TYPE, type DecisionResult } from '../workflows/definitions.ts';
import { INCIDENT_ID, OUTCOME, STAGE } from '../workflows/search-attributes.ts';
import type { TemporalTarget } from '../temporal-config/connection.ts';
import { traced, tracingPlugins } from '../temporal-config/tracing.ts';
import { containmentLinks, type ContainmentList } from '../schemas/api.ts';

/** Temporal's gRPC error tests, for the ways in that turn a Temporal failure into their own answer. */
export { isGrpcCancelledError, isGrpcDeadlineError, isGrpcServiceError } from '@temporalio/client';
export type { Client } from '@temporalio/client';

export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(readonly issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path || '(input)'}: ${i.message}`).join('; '));
  }
}

export function parseContainment(request: unknown): ContainmentInput {
  const parsed = ContainmentInput.safeParse(request);
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  // The fingerprint is computed on arrival so history and search never need the value to name it.
  return { ...parsed.data, credentials: parsed.data.credentials.map(withFingerprint) };
}

function withFingerprint(ref: CredentialRef): CredentialRef {
  return ref.leakedValue && !ref.fingerprint ? { ...ref, fingerprint: fingerprintOf(ref.leakedValue) } : ref;
}

/**
 * Deterministic id: the same incident and credential refs give the same workflow id, so a repeated
 * start joins the running containment (I4). The leaked value enters only through its fingerprint.
 */
export function containmentWorkflowId(input: Pick<ContainmentInput, 'incidentId' | 'credentials'>, idempotencyKey?: string): string {
  // A key names one request whatever its body says, the incident included: its id derives from the key
  // alone, so a reuse with another incident finds the first run and is refused (IdempotencyKeyReusedError).
  if (idempotencyKey) return `${WORKFLOW_ID_PREFIX}-key-${createHash('sha256').update(`key:${idempotencyKey}`).digest('hex').slice(0, 32)}`;
  const basis = input.credentials
    .map((r) => [r.provider, r.kind, r.id, r.clientId, r.user, r.keyId, r.fingerprint ?? (r.leakedValue ? fingerprintOf(r.leakedValue) : '')].join('|'))
    .sort()
    .join('\n');
  return `${WORKFLOW_ID_PREFIX}-${input.incidentId}-${createHash('sha256').update(basis).digest('hex').slice(0, 16)}`;
}

/** The memo field holding requestFingerprint() of the request a keyed containment was started for. */
export const REQUEST_FINGERPRINT_MEMO = 'cordonRequestSha256';

/**
 * What an idempotency key stands for: sha256 of the request as canonical JSON (object keys sorted,
 * undefined fields dropped), each leaked value entering only as its fingerprint (I5). Give it the
 * parsed request, so defaults make `{}` and `{severity: 'high'}` the same request.
 */
export function requestFingerprint(request: unknown): string {
  const canonical = (v: unknown, key?: string): unknown => {
    if (key === 'leakedValue' && typeof v === 'string') return `fingerprint:${fingerprintOf(v)}`;
    if (Array.isArray(v)) return v.map((x) => canonical(x));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, canonical(o[k], k)]));
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(request))).digest('hex');
}

/** An idempotency key reused for a different request: nothing was started (IETF Idempotency-Key draft: 422). */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor(readonly workflowId: string) {
    super(`this idempotency key was already used for a different request (containment ${workflowId}); use a new key for a new request`);
  }
}

export async function connectClient(target: TemporalTarget, keys: CodecKeys): Promise<Client> {
  const connection = await Connection.connect(target.connectionOptions as Parameters<typeof Connection.connect>[0]);
  return clientOn(connection, target, keys);
}

/**
 * A client on a connection the caller already holds: the local stack passes its worker's NativeConnection,
 * so a start may hand its first workflow task straight to that worker (eager workflow start).
 */
export async function clientOn(connection: ConnectionLike, target: Pick<TemporalTarget, 'namespace'>, keys: CodecKeys): Promise<Client> {
  return new Client({ connection, namespace: target.namespace, dataConverter: cordonDataConverter(keys), plugins: await tracingPlugins() });
}

export interface Started {
  workflowId: string;
  runId: string;
  /** False when this call joined a containment already running for the same incident and refs. */
  created: boolean;
}

/**
 * `idempotencyKey`: the same key returns the same containment; reused for a different request
 * (`requestFingerprint`, by default that of the parsed request) it throws IdempotencyKeyReusedError.
 */
export async function startContainment(
  client: Client,
  taskQueue: string,
  request: unknown,
  options: {
    idempotencyKey?: string;
    requestFingerprint?: string;
    /** Ask the server to hand the first workflow task to a worker sharing this client's NativeConnection (eager start). */
    requestEagerStart?: boolean;
  } = {},
): Promise<Started> {
  const input = parseContainment(request);
  const workflowId = containmentWorkflowId(input, options.idempotencyKey);
  // One containment, one trace (CORDON_OTEL_ENDPOINT): the checks and the start below, then the workflow and its activities.
  return traced('cordon.startContainment', { 'cordon.incident_id': input.incidentId, temporalWorkflowId: workflowId }, () => startParsed(client, taskQueue, input, workflowId, options));
}

async function startParsed(client: Client, taskQueue: string, input: ContainmentInput, workflowId: string, options: Parameters<typeof startContainment>[3] & {}): Promise<Started> {
  const fingerprint = options.idempotencyKey ? (options.requestFingerprint ?? requestFingerprint(input)) : undefined;
  // Refuses a run started under this key for another request (every keyed start records its fingerprint in the memo).
  const sameRequest = (memo: Record<string, unknown> | undefined) => {
    const first = memo?.[REQUEST_FINGERPRINT_MEMO];
    if (fingerprint && typeof first === 'string' && first !== fingerprint) throw new IdempotencyKeyReusedError(workflowId);
  };
  // The SDK does not say whether USE_EXISTING joined or created: ask first. Two starters racing
  // past this check still get one workflow (USE_EXISTING); only `created` may then read true twice.
  const existing = await describeIfExists(client, workflowId);
  if (existing) {
    sameRequest(existing.memo);
    return { workflowId, runId: existing.runId, created: false };
  }
  try {
    const handle = await client.workflow.start(WORKFLOW_TYPE, {
      args: [input satisfies ContainmentRequest],
      taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: new TypedSearchAttributes([{ key: INCIDENT_ID, value: input.incidentId }]),
      ...(fingerprint ? { memo: { [REQUEST_FINGERPRINT_MEMO]: fingerprint } } : {}),
      ...(options.requestEagerStart ? { requestEagerStart: true } : {}),
    });
    // A keyed start that raced another one past the check above may have joined its run: same request only.
    if (fingerprint) sameRequest((await handle.describe()).memo);
    return { workflowId, runId: handle.firstExecutionRunId, created: true };
  } catch (err) {
    // Finished meanwhile with the same id (REJECT_DUPLICATE by default): report it, start nothing.
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const desc = await client.workflow.getHandle(workflowId).describe();
      sameRequest(desc.memo);
      return { workflowId, runId: desc.runId, created: false };
    }
    throw err;
  }
}

async function describeIfExists(client: Client, workflowId: string): Promise<{ runId: string; running: boolean; memo?: Record<string, unknown> } | undefined> {
  try {
    const desc = await client.workflow.getHandle(workflowId).describe();
    return { runId: desc.runId, running: desc.status.name === 'RUNNING', ...(desc.memo ? { memo: desc.memo } : {}) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

export function handleOf(client: Client, workflowId: string): WorkflowHandle {
  return client.workflow.getHandle(workflowId);
}

/** The workflow id names something in the namespace that is not a Cordon containment. */
export class NotAContainmentError extends Error {
  override readonly name = 'NotAContainmentError';
}

/**
 * Whether a workflow is a Cordon containment and whether it still runs: the one check the ways in make
 * before they act on a run (whatever else shares the namespace is never read nor driven through them).
 */
export async function describeContainment(client: Client, workflowId: string): Promise<{ running: boolean; status: string }> {
  const description = await handleOf(client, workflowId).describe();
  if (description.type !== WORKFLOW_TYPE) throw new NotAContainmentError(`${workflowId} is not a Cordon containment`);
  return { running: description.status.name === 'RUNNING', status: description.status.name };
}

/**
 * Reads a containment's status until it is no longer running, handing each read to `onStatus` (progress
 * output); returns the last. The one follow loop of the CLI.
 */
export async function followContainment(client: Client, workflowId: string, onStatus: (s: ContainmentStatus) => void, everyMs = 500): Promise<ContainmentStatus> {
  for (;;) {
    const s = await getStatus(client, workflowId);
    onStatus(s);
    if (s.outcome !== 'running') return s;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The containments of one incident, newest first, through the CordonIncidentId search attribute
 * (workflows/search-attributes.ts). Visibility is eventually consistent: a run started a moment ago may
 * take a moment to appear.
 */
export async function listContainments(client: Client, incidentId: string, limit: number): Promise<ContainmentList['containments']> {
  // The incident id is restricted to [A-Za-z0-9._:-] by its schema, so it cannot break out of the quotes.
  const visibilityQuery = `WorkflowType = '${WORKFLOW_TYPE}' AND ${INCIDENT_ID.name} = '${incidentId}'`;
  const containments: ContainmentList['containments'] = [];
  for await (const wf of client.workflow.list({ query: visibilityQuery, pageSize: limit })) {
    const outcome = wf.typedSearchAttributes.get(OUTCOME);
    const stage = wf.typedSearchAttributes.get(STAGE);
    containments.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      incidentId,
      executionStatus: wf.status.name,
      ...(outcome ? { outcome } : {}),
      ...(stage ? { stage } : {}),
      startedAt: wf.startTime.toISOString(),
      ...(wf.closeTime ? { closedAt: wf.closeTime.toISOString() } : {}),
      statusUrl: containmentLinks(wf.workflowId).self,
    });
    if (containments.length >= limit) break;
  }
  return containments;
}

/** Waits for a containment to end and returns the status it returned. */
export async function containmentResult(client: Client, workflowId: string): Promise<ContainmentStatus> {
  return (await handleOf(client, workflowId).result()) as ContainmentStatus;
}

/** A finished run that returned no status (failed, terminated, timed out) and that no worker could replay. */
export class StatusUnavailableError extends Error {
  override readonly name = 'StatusUnavailableError';
}

/** How long a closed run without a result may take to be replayed by a worker for its status. */
const CLOSED_QUERY_WITHIN_MS = 5_000;

/**
 * A containment's status. A running one answers the `status` query. A closed one would answer it only
 * by being replayed on a worker (none may be running, and the server then waits about a minute), so its
 * result is read instead: the ContainmentStatus the workflow returned (contained, not_contained,
 * cancelled alike). A run that ended without one gets a brief try at the query, then a clear error.
 */
export async function getStatus(client: Client, workflowId: string): Promise<ContainmentStatus> {
  const handle = handleOf(client, workflowId);
  const { status } = await handle.describe();
  if (status.name === 'COMPLETED') return (await handle.result()) as ContainmentStatus;
  if (!['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT', 'CONTINUED_AS_NEW'].includes(status.name)) return handle.query(statusQuery);
  try {
    return await client.withDeadline(Date.now() + CLOSED_QUERY_WITHIN_MS, () => handle.query(statusQuery));
  } catch (err) {
    throw new StatusUnavailableError(
      `${workflowId} ended ${status.name.toLowerCase()} without a result, and no worker replayed it for its status within ${CLOSED_QUERY_WITHIN_MS / 1000} s; ` +
        `start a worker on its task queue to read it, or read its history (temporal workflow show --workflow-id ${workflowId})`,
      { cause: err },
    );
  }
}

/** Refused decision: the workflow's reason, already recorded in the containment's evidence. */
export class DecisionRefusedError extends Error {
  override readonly name = 'DecisionRefusedError';
}

/**
 * Sends one approval decision, in a signed envelope when the way in has authenticated the approver
 * (`vouch`; docs/trust-model.md), otherwise unsigned: it then counts as an unauthenticated
 * Temporal-direct call. A refusal (wrong digest, unauthorized, self-approval, duplicate, late,
 * unauthenticated where the policy requires authentication) is recorded in the evidence by the
 * workflow, then thrown. A run from before authenticated channels refused in its update validator,
 * which leaves no trace: the refusal is then recorded through the `recordRefusal` signal.
 */
export async function decide(client: Client, workflowId: string, decision: ApprovalDecisionInput, vouch?: Vouch): Promise<DecisionResult> {
  const handle = handleOf(client, workflowId);
  const signed = (message: ApprovalDecisionInput | RefusedDecision, action: 'decide' | 'refusal') => (vouch ? signEnvelope(message, vouch, { workflowId, action }) : message);
  try {
    return await handle.executeUpdate(decideUpdate, { args: [signed(decision, 'decide') as ApprovalDecisionInput] });
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    const reason = err.cause?.message ?? err.message;
    if (err.cause instanceof ApplicationFailure && err.cause.type === FAILURE_TYPES.decision_refused) throw new DecisionRefusedError(reason);
    const refusal: RefusedDecision = { stage: decision.stage, approver: decision.approver, channel: decision.channel, reason: reason.slice(0, 500) };
    await handle
      .signal(refusalSignal, signed(refusal, 'refusal') as RefusedDecision)
      .catch(() => undefined); // a finished run cannot take the signal; the refusal still reaches the caller
    throw new DecisionRefusedError(reason);
  }
}

/** Cancels a running containment, recording in its evidence who asked and why first (signed when `vouch` is given). */
export async function cancelContainment(client: Client, workflowId: string, by: CancelRequest, vouch?: Vouch): Promise<void> {
  const handle = handleOf(client, workflowId);
  await handle.signal(cancelRequestSignal, vouch ? signEnvelope(by, vouch, { workflowId, action: 'cancel_request' }) : by);
  await handle.cancel();
}

/** A retry that cannot start: the run is still going, or ended in a way a retry cannot change. */
export class RetryRefusedError extends Error {
  override readonly name = 'RetryRefusedError';
}

/**
 * Starts a finished `not_contained` run again (`cordon retry`, the API, Slack): the same input, a new run
 * `<id>-retry-<n>` that takes over its predecessor's unfinished replacement claims. Nothing done is redone:
 * identify no longer finds what was revoked, and replacements already issued stay their issuer's (I8).
 * A retry of the same run while one is still going joins it.
 */
export async function retryContainment(client: Client, taskQueue: string, workflowId: string): Promise<Started & { retryOf: string }> {
  const status = await getStatus(client, workflowId);
  if (status.outcome !== 'not_contained') {
    throw new RetryRefusedError(
      status.outcome === 'running'
        ? `${workflowId} is still running (stage ${status.stage}); a retry is for a finished not_contained run`
        : `${workflowId} ended ${status.outcome}; only a not_contained run can be retried (start a new containment instead)`,
    );
  }
  const input = parseContainment({ ...(await startInputOf(client, workflowId)), retryOf: workflowId });
  for (let n = 1; n <= 100; n++) {
    const retryId = `${workflowId}-retry-${n}`;
    const existing = await describeIfExists(client, retryId);
    if (existing?.running) return { workflowId: retryId, runId: existing.runId, created: false, retryOf: workflowId };
    if (existing) continue;
    const handle = await client.workflow.start(WORKFLOW_TYPE, {
      args: [input satisfies ContainmentRequest],
      taskQueue,
      workflowId: retryId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: new TypedSearchAttributes([{ key: INCIDENT_ID, value: input.incidentId }]),
    });
    return { workflowId: retryId, runId: handle.firstExecutionRunId, created: true, retryOf: workflowId };
  }
  throw new RetryRefusedError(`${workflowId} was retried 100 times already; start a new containment`);
}

/**
 * The input a run was started with, read from its first history event through the codec: a finished run
 * needs no live worker for this (a query would replay it on one). It holds leaked values: callers pass it
 * straight to a new start and never show it.
 */
export async function startInputOf(client: Client, workflowId: string): Promise<ContainmentRequest> {
  const history = await handleOf(client, workflowId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new RetryRefusedError(`${workflowId}: its history has no start event to retry from`);
  const [input] = await decodeArrayFromPayloads(client.workflow.options.loadedDataConverter, started.input?.payloads);
  return input as ContainmentRequest;
}
