// Activities: the only code that touches providers. Built by createActivities(deps) so tests and the
// worker hand in their connectors and sink; workflows see only the types (README, "Layout"). Activity names
// are recorded in history: never rename one.
import { ApplicationFailure } from '@temporalio/common';
import type { Consumer, Credential, CredentialRef, Principal, Provider, ReauthScopeSnapshot, ReplacementRef, ScopeEnrichment, ScopeReport, SinkRef } from '../schemas/credential.ts';
import type { ContainmentMode, FallbackRung, Plan, ReauthTarget } from '../schemas/containment.ts';
import type { ConnectorRegistry, Connector, ProbeResult, Restriction, RestrictionUndo, WriteResult } from '../connectors/types.ts';
import { assertCan, can } from '../connectors/capabilities.ts';
import type { CredentialSink } from '../connectors/sinks/types.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { Notification, Notifier } from '../notifiers/notifier.ts';
import type { EvidenceSeal } from '../schemas/evidence.ts';
import type { DryRunRef } from '../schemas/mass.ts';
import { sealDigest, type EvidenceSigner } from './evidence-seal.ts';
import { FAILURE_TYPES, mapFailures, secretsIn, toFailure } from './failures.ts';
import { buildPlan, credentialKey, SelfLockoutError } from './plan.ts';
import { scopeReauthWith } from './reauth-scope.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { dryRunLinesOf, planRefs } from './plan-refs.ts';
import { temporalRegistry, type RegistryPrincipal, type ReplacementRegistry } from './replacement-registry.ts';
import type { EvidenceDeliveryDeps } from './deliver-evidence.ts';

export type { FallbackRung } from '../schemas/containment.ts';
/** What a provider write answered (the workflow reads revokeCredentials' results as it). */
export type { WriteResult } from '../connectors/types.ts';

// The notifier contract lives beside its implementations (notifiers/); re-exported for the workflow's `import type`.
export type { Notification, Notifier } from '../notifiers/notifier.ts';

export interface ActivityDeps {
  connectors: ConnectorRegistry;
  sink: CredentialSink;
  logger?: Logger;
  /** Where approval requests, escalations and outcomes go (Slack, webhooks); logs when absent. */
  notifier?: Notifier;
  /** Replacements issued by every run (I8); the Temporal-kept registry of the worker's task queue by default. */
  registry?: ReplacementRegistry;
  /** Signs each run's final evidence digest (CORDON_EVIDENCE_SIGNING_KEY); runs end unsigned without one. */
  evidenceSigner?: EvidenceSigner;
  /** Evidence delivery (the `deliverEvidence` workflow): the configured sinks and how to read a run's status. */
  evidence?: EvidenceDeliveryDeps;
}

export interface VerifyResult {
  /** The compromised credential still shows as active when re-listed. */
  stillActive: boolean;
  /** Other credentials of the same principal and app that the plan ends but that are still active: re-revoked. */
  unexpectedActive: Credential[];
  /** Same principal and app, neither issued by Cordon nor named by the plan: reported, never touched (I8). */
  unplanned: Credential[];
  probe: ProbeResult | 'skipped';
  /** Set when, without its value, the credential could only be cut off from the tenant: what its owner must do. */
  cutOff?: string;
}

/** One credential to verify: what this run replaced, the leaked value when known, and every credential the plan ends. */
export interface VerifyInput {
  credential: Credential;
  replacementIds: string[];
  leakedValue?: string;
  planned: string[];
}

/** One credential of revokeCredentials: revoked, or the type of the failure that stopped it there. */
export type RevokeItemResult = { revoked: WriteResult } | { failed: string };

/**
 * A replacement to issue. `claimsTogether`: how many claims the run starts at once for the credential's principal
 * (a mass child's owner), so that the registry update can carry them together (registryBatcher); absent, the
 * claim goes alone as soon as it can.
 */
export interface IssueReplacementInput {
  workflowId: string;
  runStartedAt: string;
  credential: Credential;
  consumer: Consumer;
  retryOf?: string;
  claimsTogether?: number;
}

/** What issueReplacement did: minted one, or found that another run owns this consumer's replacement (I8). */
export type ReplacementOutcome = { issued: ReplacementRef } | { ownedBy: string; replacementId?: string };

/** One replacement of issueReplacements: what it did, or the type of the failure that stopped it there. */
export type ReplacementItemResult = { outcome: ReplacementOutcome } | { failed: string };

/**
 * A batch activity's items done side by side. An item that fails is answered with the failure type its one-by-one
 * twin would have failed with (the run then does it again on its own), and `failed` says so in the log.
 */
function itemByItem<I, R>(items: readonly I[], one: (item: I) => Promise<R>, failed: (item: I, failureType: string) => void): Promise<(R | { failed: string })[]> {
  return Promise.all(
    items.map(async (item) => {
      try {
        return await one(item);
      } catch (err) {
        const failure = toFailure(err, secretsIn([item]));
        const type = failure instanceof ApplicationFailure ? (failure.type ?? 'error') : 'error';
        failed(item, type);
        return { failed: type };
      }
    }),
  );
}

/** A batch activity runs on one provider's task queue, so it takes one provider's refs or credentials only. */
function assertOneProvider(activity: string, providers: readonly string[]): void {
  if (new Set(providers).size > 1) {
    throw ApplicationFailure.create({ type: FAILURE_TYPES.invalid_input, nonRetryable: true, message: `${activity} takes refs or credentials of one provider (its task queue is the provider's); got ${[...new Set(providers)].join(', ')}` });
  }
}

/** The registry shard of a credential: its principal's (activities/replacement-registry.ts). */
const principalOf = (c: Pick<Credential, 'provider' | 'principal'>): RegistryPrincipal => ({ provider: c.provider, principalId: c.principal.id });

export function createActivities(deps: ActivityDeps) {
  const log = deps.logger ?? createLogger({ base: { component: 'activities' } });
  let shared: ReplacementRegistry | undefined;
  const registry = (): ReplacementRegistry => (shared ??= deps.registry ?? temporalRegistry());
  const connectorFor = (provider: Provider): Connector => {
    const c = deps.connectors[provider];
    if (!c) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.no_connector,
        nonRetryable: true,
        message: `no ${provider} connector is configured on this worker; set its CORDON_${provider.toUpperCase()}_* variables (see README) and restart the worker`,
      });
    }
    return c;
  };

  /**
   * For a replacement the provider can neither label nor let an admin end (I4): notes the mint in the registry,
   * acknowledged before it happens. Mints noted by earlier attempts, with nothing delivered, may each have left
   * an orphan: returns the words the evidence must carry (what, why it lives on, when it expires at the latest).
   */
  const noteUnlabelledMint = async (
    connector: Connector,
    credential: Credential,
    idempotencyKey: string,
    earlier: readonly string[],
    owner: { credentialId: string; consumerId: string; workflowId: string },
    notedWithClaim: boolean,
  ): Promise<string | undefined> => {
    const mint = connector.unlabelledMint?.(credential);
    if (!mint) return undefined;
    let orphan: string | undefined;
    if (earlier.length && !(await deps.sink.lookup(idempotencyKey))) {
      // Minted, if at all, after the first note and before this attempt: it dies by now + its lifetime.
      const expiresBy = new Date(Date.now() + mint.lifetimeMs).toISOString();
      orphan =
        `possible orphan: ${earlier.length === 1 ? 'an earlier attempt' : `${earlier.length} earlier attempts`} (from ${earlier[0]}) stopped between minting and delivering; ` +
        `the ${mint.what} it may have minted cannot be ended (${mint.whyNotEnded}) and expires by ${expiresBy} at the latest`;
      log.warn('possible orphan of an interrupted replacement', { credential: owner.credentialId, consumer: owner.consumerId, notedAt: earlier[0], expiresBy });
    }
    if (!notedWithClaim) await registry().noteUnlabelledMint(principalOf(credential), owner);
    return orphan;
  };

  /** One replacement for one consumer: claimed in the registry (I8), minted, delivered and recorded (the activity's body). */
  const issueReplacement = async (input: IssueReplacementInput): Promise<ReplacementOutcome> => {
    const credentialId = credentialKey(input.credential);
    const connector = connectorFor(input.credential.provider);
    // I8: one owner per (credential, consumer) across runs; a concurrent run's consumer is never served twice.
    // A mint the provider cannot label is noted by the same update, when the claim is won (I4).
    const claim = await registry().claim(
      principalOf(input.credential),
      {
        credentialId,
        consumerId: input.consumer.id,
        workflowId: input.workflowId,
        claimerStartedAt: input.runStartedAt,
        ...(input.retryOf ? { takeOverFrom: input.retryOf } : {}),
        ...(connector.unlabelledMint?.(input.credential) ? { noteMint: true as const } : {}),
      },
      input.claimsTogether ? { group: input.workflowId, size: input.claimsTogether } : undefined,
    );
    if (claim.workflowId !== input.workflowId) {
      log.info('replacement owned by another run', { credential: credentialId, consumer: input.consumer.id, owner: claim.workflowId });
      return { ownedBy: claim.workflowId, ...(claim.replacementId ? { replacementId: claim.replacementId } : {}) };
    }
    // (workflow id, credential, consumer): a retried or replayed attempt finds the first replacement (I4).
    const idempotencyKey = `${input.workflowId}|${credentialId}|${input.consumer.id}`;
    const orphan = await noteUnlabelledMint(
      connector,
      input.credential,
      idempotencyKey,
      claim.mintsNotedAt ?? [],
      { credentialId, consumerId: input.consumer.id, workflowId: input.workflowId },
      !!claim.mintNoted,
    );
    assertCan(connector, 'replace');
    // The sink's reads ahead of the delivery (e.g. the target repository's public key) go beside the mint.
    const preparing = deps.sink.prepare?.(input.consumer.sink).catch(() => undefined);
    // The replacement is recorded as its delivery starts, beside it: other runs' re-authentications leave it alone
    // from then on (I8), and the activity ends a registry round sooner. Recorded again below if the sink kept an
    // earlier delivery (its replacement is the one that counts).
    const record = (replacementId: string) => recordMint(principalOf(input.credential), { credentialId, consumerId: input.consumer.id, workflowId: input.workflowId, replacementId });
    // The first delivery's record, by replacement id; awaited once the delivery is done (a failed delivery fails the attempt first).
    const recording = new Map<string, Promise<void>>();
    const sink: CredentialSink = {
      deliver: (d) => {
        if (!recording.size) {
          const done = record(d.replacementId);
          done.catch(() => undefined); // observed below; not a rejection nobody handles while the delivery runs
          recording.set(d.replacementId, done);
        }
        return deps.sink.deliver(d);
      },
      lookup: (k) => deps.sink.lookup(k),
    };
    const issued = await connector.replace(input.credential, input.consumer, idempotencyKey, sink, claim.firstClaim ? { firstClaim: true } : {});
    await preparing;
    await Promise.all(recording.values());
    if (!recording.has(issued.replacementId)) await record(issued.replacementId);
    const note = [issued.note, orphan].filter(Boolean).join('; ');
    log.info('replacement issued', { credential: credentialId, consumer: input.consumer.id, replacement: issued.replacementId, sink: issued.sink, ...(note ? { note } : {}) });
    return {
      issued: {
        credentialId,
        consumerId: input.consumer.id,
        replacementId: issued.replacementId,
        fingerprint: issued.fingerprint,
        sink: issued.sink,
        issuedAt: new Date().toISOString(),
        ...(note ? { note } : {}),
      },
    };
  };

  /** Plans refs as one containment would, writing nothing, and returns one dry-run line per ref. */
  const planMass = async (refs: { index: number; ref: CredentialRef }[], input: { waveSize: number; workflowId: string }): Promise<DryRunRef[]> => {
    const issuedElsewhere = async (provider: Provider, principalId: string, ids: string[]) =>
      new Map((await registry().issuedElsewhere({ provider, principalId }, ids, input.workflowId)).map((e) => [e.replacementId!, e]));
    const planned = await planRefs({ connectors: deps.connectors, refs: refs.map((r) => r.ref), mode: 'direct', waveSize: input.waveSize, issuedElsewhere });
    const lines = dryRunLinesOf(refs, planned, deps.connectors);
    for (const line of lines) log.info('dry run planned', { ref: line.ref, status: line.status, revoke: line.revoke.length, manual: line.manual.length });
    return lines;
  };

  /**
   * Records a replacement just minted, as its delivery starts (I4). Whatever keeps the registry from answering, the
   * failure is transient: the run retries until its deadline, and the retry finds the delivered replacement
   * in the sink by its idempotency key and records it. A permanent failure here stopped the run's branch
   * with a live credential minted that no run recorded (the sequential-script benchmark left three deploy
   * keys so, when the registry refused updates while its workflow task was being retried).
   */
  const recordMint = async (of: RegistryPrincipal, entry: Parameters<ReplacementRegistry['record']>[1]): Promise<void> => {
    try {
      await registry().record(of, entry);
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type === FAILURE_TYPES.coordination_busy) throw err;
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.coordination_busy,
        nonRetryable: false,
        message: `replacement ${entry.replacementId} was delivered but the replacement registry did not record it (${err instanceof Error ? err.message : String(err)}); the run will try again`,
      });
    }
  };

  const revokeOne = async (input: { credential: Credential; leakedValue?: string }): Promise<WriteResult> => {
    const r = await connectorFor(input.credential.provider).revoke(input.credential, input.leakedValue ? { leakedValue: input.leakedValue } : {});
    log.info('revoked', { credential: credentialKey(input.credential), outcome: r.outcome, requestId: r.requestId });
    return r;
  };

  const identifyOne = async (ref: CredentialRef, deferEnrichment: boolean | undefined): Promise<ScopeReport> => {
    const report = await connectorFor(ref.provider).identify(ref, deferEnrichment ? { deferEnrichment: true } : {});
    log.info('identified scope', { provider: report.provider, ref: report.ref, found: report.credentials.length, pending: report.pendingEnrichment?.length ?? 0 });
    return report;
  };

  /** I3 for one credential: is it gone, and is nothing but Cordon's replacements (or the plan's leftovers) active. `listed`: a listing shared with other credentials of its principal. */
  const verifyOne = async (input: VerifyInput, workflowId: string, listed = (c: Credential) => connectorFor(c.provider).listActive(c.principal)): Promise<VerifyResult> => {
    const connector = connectorFor(input.credential.provider);
    // The probe with the leaked value does not depend on the listing: both at once.
    const probing: Promise<VerifyResult['probe']> = input.leakedValue && can(connector, 'probe') ? connector.probe(input.credential, input.leakedValue) : Promise.resolve('skipped');
    const [active, probe] = await Promise.all([listed(input.credential), probing]);
    const stillActive = active.some((c) => c.id === input.credential.id);
    // I3: only replacements Cordon issued may remain for the same principal and app: this run's, or another run's (I8).
    const others = active
      .filter((c) => c.id !== input.credential.id && !input.replacementIds.includes(c.id))
      .filter((c) => c.kind === input.credential.kind && (c.clientId ?? '') === (input.credential.clientId ?? ''))
      .filter((c) => !c.selfOrLastAdmin);
    const elsewhere = new Set((await registry().issuedElsewhere(principalOf(input.credential), others.map((c) => c.id), workflowId)).map((e) => e.replacementId));
    const unknown = others.filter((c) => !elsewhere.has(c.id));
    const unexpectedActive = unknown.filter((c) => input.planned.includes(credentialKey(c)));
    const unplanned = unknown.filter((c) => !input.planned.includes(credentialKey(c)));
    // Gone from the tenant is not dead everywhere: without the value some credentials can only be cut off.
    const cutOff = input.leakedValue || probe === 'dead' ? undefined : connector.cutOffOnly?.(input.credential);
    log.info('verified', { credential: credentialKey(input.credential), stillActive, unexpected: unexpectedActive.length, unplanned: unplanned.length, probe, cutOff: !!cutOff });
    return { stillActive, unexpectedActive, unplanned, probe, ...(cutOff ? { cutOff } : {}) };
  };

  return {
    /** `deferEnrichment`: leave the reads that decide neither I6 nor I8 for enrichScope after the revoke (connectors/types.ts). */
    identifyScope: mapFailures(async (input: { ref: CredentialRef; deferEnrichment?: boolean }): Promise<ScopeReport> => identifyOne(input.ref, input.deferEnrichment)),

    /**
     * Refs of one provider identified in one activity, side by side (a run that is not a single run, e.g. a mass
     * containment's child with an owner's keys: one task on the provider's queue, not one a ref). The reports in
     * the refs' order; any ref's failure fails the whole (a read: the retry reads them all again).
     */
    identifyScopes: mapFailures(async (input: { refs: CredentialRef[]; deferEnrichment?: boolean }): Promise<ScopeReport[]> => {
      assertOneProvider('identifyScopes', input.refs.map((r) => r.provider));
      return Promise.all(input.refs.map((ref) => identifyOne(ref, input.deferEnrichment)));
    }),

    /**
     * Reads ahead what delivering to these sinks will need (a GitHub repository's public key, and the token that
     * reads it), so a replacement's delivery makes only its write. A warm-up: it writes nothing and never fails
     * the run (a read that fails here is the delivery's to report).
     */
    prepareSinks: async (input: { targets: SinkRef[] }): Promise<void> => {
      await Promise.all(input.targets.map((t) => deps.sink.prepare?.(t).catch(() => undefined)));
    },

    /** The details identify left pending (owner, last use, app): read-only, run once the revoke is acknowledged. */
    enrichScope: mapFailures(async (input: { report: ScopeReport }): Promise<ScopeEnrichment> => {
      const connector = connectorFor(input.report.provider);
      if (!connector.enrich) throw ApplicationFailure.create({ type: FAILURE_TYPES.unsupported, nonRetryable: true, message: `${input.report.provider}: identify left details pending but this connector has no enrich` });
      const enrichment = await connector.enrich(input.report);
      log.info('scope enriched', { provider: enrichment.provider, ref: input.report.ref, credentials: enrichment.credentials.length });
      return enrichment;
    }),

    /**
     * What forcing re-authentication of one principal would end (I8), read-only: the connector's list (or the
     * `snapshot` identify read with the principal's credentials), minus the run's own targets and every
     * replacement another run issued (those are never ended here).
     */
    scopeReauth: mapFailures(async (input: { provider: Provider; principal: Principal; workflowId: string; targets: string[]; snapshot?: ReauthScopeSnapshot }): Promise<ReauthTarget> => {
      const target = await scopeReauthWith({
        ...input,
        connector: connectorFor(input.provider),
        issuedElsewhere: async (ids) => new Map((await registry().issuedElsewhere({ provider: input.provider, principalId: input.principal.id }, ids, input.workflowId)).map((e) => [e.replacementId!, e])),
      });
      log.info('re-authentication scoped', { provider: input.provider, principal: input.principal.id, ends: target.ends.length, leftAlone: target.leftAlone.length });
      return target;
    }),

    /**
     * One ref of a mass containment's dry run: identified, re-authentication scoped and planned as its child
     * containment would (activities/plan-refs.ts), and nothing written. `workflowId` is the dry run's: no
     * replacement was issued under it, so every other run's replacements are left alone as a live run would.
     */
    planMassRef: mapFailures(async (input: { index: number; ref: CredentialRef; waveSize: number; workflowId: string }): Promise<DryRunRef> => {
      return (await planMass([{ index: input.index, ref: input.ref }], input))[0]!;
    }),

    /** The refs of one owner in a dry run, planned together as the live run's one child would plan them (dryRunLinesOf). */
    planMassGroup: mapFailures(async (input: { refs: { index: number; ref: CredentialRef }[]; waveSize: number; workflowId: string }): Promise<DryRunRef[]> => {
      return planMass(input.refs, input);
    }),

    planContainment: mapFailures(async (input: { mode: ContainmentMode; waveSize: number; reports: ScopeReport[]; reauth?: ReauthTarget[] }): Promise<Plan> => {
      try {
        return buildPlan(input);
      } catch (err) {
        if (err instanceof SelfLockoutError) throw ApplicationFailure.create({ type: FAILURE_TYPES.self_lockout, message: err.message, nonRetryable: true });
        throw err;
      }
    }),

    revokeCredential: mapFailures(async (input: { credential: Credential; leakedValue?: string }): Promise<WriteResult> => revokeOne(input)),

    /**
     * Credentials of one provider revoked in one activity, side by side (a run that is not a single run: one task
     * on the provider's queue, not one a credential). Never fails for one credential: each gets its result, or
     * the type of its failure, and the workflow revokes a failed one again on its own (revokeCredential), where
     * a refusal stops only that credential and a transient failure is retried until the deadline, as before. A
     * 429 here so reaches the queue's throttle through that retry, not through this activity.
     */
    revokeCredentials: mapFailures(async (input: { items: { credential: Credential; leakedValue?: string }[] }): Promise<RevokeItemResult[]> => {
      assertOneProvider('revokeCredentials', input.items.map((i) => i.credential.provider));
      return itemByItem(
        input.items,
        async (item): Promise<RevokeItemResult> => ({ revoked: await revokeOne(item) }),
        (item, failureType) => log.warn('revoke in a batch failed; the run revokes it again on its own', { credential: credentialKey(item.credential), failureType }),
      );
    }),

    issueReplacement: mapFailures(async (input: IssueReplacementInput): Promise<ReplacementOutcome> =>
      // The attempt holds its lease while it works (the workflow's heartbeat timeout): a slow attempt is not retried beside itself.
      whileHeartbeating(() => issueReplacement(input)),
    ),

    /**
     * Replacements of one provider issued in one activity, side by side (a run that is not a single run: a mass
     * child with an owner's credentials and their consumers). Each item is issueReplacement's own: its claim, its
     * idempotency key, its delivery and record, so a retried batch finds what an earlier attempt issued. An item
     * that fails is answered with its failure's type, and the run issues it again on its own, which retries or
     * stops only it.
     */
    issueReplacements: mapFailures(async (input: { items: IssueReplacementInput[] }): Promise<ReplacementItemResult[]> => {
      assertOneProvider('issueReplacements', input.items.map((i) => i.credential.provider));
      return whileHeartbeating(() =>
        itemByItem(
          input.items,
          async (item): Promise<ReplacementItemResult> => ({ outcome: await issueReplacement(item) }),
          (item, failureType) => log.warn('replacement in a batch failed; the run issues it again on its own', { credential: credentialKey(item.credential), consumer: item.consumer.id, failureType }),
        ),
      );
    }),

    /**
     * Kill a credential everywhere by its leaked value (GitHub's credential revocation). Runs on the paced
     * task queue: the provider's hourly budget is shared by every worker and run (worker/worker.ts).
     */
    revokeByValue: mapFailures(async (input: { credential: Credential; leakedValue: string }): Promise<WriteResult> => {
      const connector = connectorFor(input.credential.provider);
      assertCan(connector, 'revokeByValue');
      const r = await connector.revokeByValue([{ credential: input.credential, leakedValue: input.leakedValue }]);
      log.info('revoked by value', { credential: credentialKey(input.credential), outcome: r.outcome });
      return r;
    }),

    /** The run ended: its unfinished claims stop binding later runs (I8). */
    releaseReplacementClaims: mapFailures(async (input: { workflowId: string; principals?: RegistryPrincipal[] }): Promise<void> => {
      await registry().runFinished(input.workflowId, input.principals);
    }),

    /** Ends exactly what the plan listed (I8), re-checked against the registry at the moment of writing. */
    forceReauth: mapFailures(async (input: { provider: Provider; principal: Principal; end: Credential[]; workflowId: string }): Promise<WriteResult> => {
      const elsewhere = new Set((await registry().issuedElsewhere({ provider: input.provider, principalId: input.principal.id }, input.end.map((c) => c.id), input.workflowId)).map((e) => e.replacementId));
      const end = input.end.filter((c) => !elsewhere.has(c.id));
      const connector = connectorFor(input.provider);
      assertCan(connector, 'forceReauth');
      const r = await connector.forceReauth(input.principal, end);
      log.info('re-authentication forced', { provider: input.provider, principal: input.principal.id, ended: end.length, outcome: r.outcome });
      const spared = input.end.length - end.length;
      return spared ? { ...r, detail: `${r.detail ?? ''}${r.detail ? '; ' : ''}${spared} left alone: issued meanwhile by another containment` } : r;
    }),

    /** Takes back a temporary restriction from the undo its restrict() returned. */
    unrestrictCredential: mapFailures(async (input: { credential: Credential; undo: RestrictionUndo }): Promise<WriteResult> => {
      const connector = connectorFor(input.credential.provider);
      if (!connector.unrestrict) {
        throw ApplicationFailure.create({ type: FAILURE_TYPES.unsupported, nonRetryable: true, message: `${input.credential.provider}: cannot undo a restriction by API; ${input.undo.description} by hand` });
      }
      const r = await connector.unrestrict(input.credential, input.undo);
      log.info('restriction undone', { credential: credentialKey(input.credential), kind: input.undo.kind, outcome: r.outcome });
      return r;
    }),

    restrictCredential: mapFailures(async (input: { credential: Credential; restriction: Restriction }): Promise<WriteResult> => {
      const connector = connectorFor(input.credential.provider);
      assertCan(connector, 'restrict');
      return connector.restrict(input.credential, input.restriction);
    }),

    verifyCredential: mapFailures(async (input: VerifyInput & { workflowId: string }): Promise<VerifyResult> => verifyOne(input, input.workflowId)),

    /**
     * Credentials of one provider verified in one activity (a run that is not a single run: one task on the
     * provider's queue, not one a credential). Each principal's active credentials are listed once for all of
     * its credentials here; each credential is judged as verifyCredential judges it. Results in the items' order.
     */
    verifyCredentials: mapFailures(async (input: { items: VerifyInput[]; workflowId: string }): Promise<VerifyResult[]> => {
      assertOneProvider('verifyCredentials', input.items.map((i) => i.credential.provider));
      const listings = new Map<string, Promise<Credential[]>>();
      const listed = (c: Credential) => {
        const key = `${c.provider}\0${c.principal.id}`;
        let listing = listings.get(key);
        if (!listing) listings.set(key, (listing = connectorFor(c.provider).listActive(c.principal)));
        return listing;
      };
      return Promise.all(input.items.map((item) => verifyOne(item, input.workflowId, listed)));
    }),

    fallbackRung: mapFailures(async (input: { rung: FallbackRung; credential: Credential }): Promise<WriteResult> => {
      const connector = connectorFor(input.credential.provider);
      assertCan(connector, input.rung);
      const r =
        input.rung === 'suspendPrincipal'
          ? await connector.suspendPrincipal(input.credential.principal)
          : await connector[input.rung](input.credential);
      log.warn('fallback used', { credential: credentialKey(input.credential), rung: input.rung, outcome: r.outcome });
      return r;
    }),

    /** The run's final evidence digest, signed with the worker's key (never in history: only the signature and public key are). */
    sealEvidence: mapFailures(async (input: { workflowId: string; digest: string }): Promise<EvidenceSeal> => {
      const seal = sealDigest(deps.evidenceSigner, input.digest);
      log.info('evidence sealed', { workflowId: input.workflowId, digest: input.digest, signed: seal.signed, ...(seal.signed ? { keyId: seal.keyId } : {}) });
      return seal;
    }),

    notify: mapFailures(async (n: Notification): Promise<void> => {
      log.info('notification', { kind: n.kind, workflowId: n.workflowId, incidentId: n.incidentId, stage: n.stage, summary: n.summary });
      await deps.notifier?.notify(n);
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
