// Activities: the only code that touches providers. Built by createActivities(deps) so tests and the
// worker hand in their connectors and sink; workflows see only the types (style.md). Activity names
// are recorded in history: never rename one.
import { ApplicationFailure } from '@temporalio/common';
import type { Consumer, Credential, CredentialRef, Principal, Provider, ReplacementRef, ScopeReport } from '../schemas/credential.ts';
import type { ContainmentMode, Plan } from '../schemas/containment.ts';
import type { ConnectorRegistry, Connector, ProbeResult, Restriction, WriteResult } from '../connectors/types.ts';
import type { CredentialSink } from '../connectors/sinks/types.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { FAILURE_TYPES, mapFailures } from './failures.ts';
import { buildPlan, credentialKey, SelfLockoutError } from './plan.ts';

export interface Notification {
  kind: 'approval_needed' | 'escalation' | 'completed' | 'not_contained';
  workflowId: string;
  incidentId: string;
  summary: string;
  stage?: string;
  digest?: string;
  /** From the containment input: the webhook to call, and the Slack thread to post in. */
  webhookUrl?: string;
  origin?: { channel: string; slackChannel?: string; slackThreadTs?: string };
  /** Structured details for approval messages: what exactly will happen. */
  approval?: { description: string; credentialIds: string[]; consumerIds: string[]; wave: number; quorum: number };
  outcome?: string;
}

export interface Notifier {
  notify(n: Notification): Promise<void>;
}

export interface ActivityDeps {
  connectors: ConnectorRegistry;
  sink: CredentialSink;
  logger?: Logger;
  /** Where approval requests, escalations and outcomes go (Slack, webhooks); logs when absent. */
  notifier?: Notifier;
}

export interface VerifyResult {
  /** The compromised credential still shows as active when re-listed. */
  stillActive: boolean;
  /** Other credentials of the same principal and app that this run did not issue. */
  unexpectedActive: Credential[];
  probe: ProbeResult | 'skipped';
}

export type FallbackRung = 'revokeAllForClient' | 'blockApp' | 'suspendPrincipal';

export function createActivities(deps: ActivityDeps) {
  const log = deps.logger ?? createLogger({ base: { component: 'activities' } });
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

  return {
    identifyScope: mapFailures(async (input: { ref: CredentialRef }): Promise<ScopeReport> => {
      const report = await connectorFor(input.ref.provider).identify(input.ref);
      log.info('identified scope', { provider: report.provider, ref: report.ref, found: report.credentials.length });
      return report;
    }),

    planContainment: mapFailures(async (input: { mode: ContainmentMode; waveSize: number; reports: ScopeReport[] }): Promise<Plan> => {
      try {
        return buildPlan(input);
      } catch (err) {
        if (err instanceof SelfLockoutError) throw ApplicationFailure.create({ type: FAILURE_TYPES.self_lockout, message: err.message, nonRetryable: true });
        throw err;
      }
    }),

    revokeCredential: mapFailures(async (input: { credential: Credential; leakedValue?: string }): Promise<WriteResult> => {
      const r = await connectorFor(input.credential.provider).revoke(input.credential, input.leakedValue ? { leakedValue: input.leakedValue } : {});
      log.info('revoked', { credential: credentialKey(input.credential), outcome: r.outcome, requestId: r.requestId });
      return r;
    }),

    issueReplacement: mapFailures(async (input: { workflowId: string; credential: Credential; consumer: Consumer }): Promise<ReplacementRef> => {
      // (workflow id, credential, consumer): a retried or replayed attempt finds the first replacement (I4).
      const idempotencyKey = `${input.workflowId}|${credentialKey(input.credential)}|${input.consumer.id}`;
      const issued = await connectorFor(input.credential.provider).replace(input.credential, input.consumer, idempotencyKey, deps.sink);
      log.info('replacement issued', { credential: credentialKey(input.credential), consumer: input.consumer.id, replacement: issued.replacementId, sink: issued.sink });
      return {
        credentialId: credentialKey(input.credential),
        consumerId: input.consumer.id,
        replacementId: issued.replacementId,
        fingerprint: issued.fingerprint,
        sink: issued.sink,
        issuedAt: new Date().toISOString(),
      };
    }),

    forceReauth: mapFailures(async (input: { provider: Provider; principal: Principal; keep: string[] }): Promise<WriteResult> => {
      const r = await connectorFor(input.provider).forceReauth(input.principal, input.keep);
      log.info('re-authentication forced', { provider: input.provider, principal: input.principal.id, outcome: r.outcome });
      return r;
    }),

    restrictCredential: mapFailures(async (input: { credential: Credential; restriction: Restriction }): Promise<WriteResult> => {
      return connectorFor(input.credential.provider).restrict(input.credential, input.restriction);
    }),

    verifyCredential: mapFailures(async (input: { credential: Credential; replacementIds: string[]; leakedValue?: string }): Promise<VerifyResult> => {
      const connector = connectorFor(input.credential.provider);
      const active = await connector.listActive(input.credential.principal);
      const stillActive = active.some((c) => c.id === input.credential.id);
      // I3: only replacements issued by this run may remain for the same principal and app.
      const unexpectedActive = active
        .filter((c) => c.id !== input.credential.id && !input.replacementIds.includes(c.id))
        .filter((c) => c.kind === input.credential.kind && (c.clientId ?? '') === (input.credential.clientId ?? ''))
        .filter((c) => !c.selfOrLastAdmin);
      let probe: VerifyResult['probe'] = 'skipped';
      if (input.leakedValue && connector.capabilities.has('probe')) probe = await connector.probe(input.credential, input.leakedValue);
      log.info('verified', { credential: credentialKey(input.credential), stillActive, unexpected: unexpectedActive.length, probe });
      return { stillActive, unexpectedActive, probe };
    }),

    fallbackRung: mapFailures(async (input: { rung: FallbackRung; credential: Credential }): Promise<WriteResult> => {
      const connector = connectorFor(input.credential.provider);
      if (!connector.capabilities.has(input.rung)) {
        throw ApplicationFailure.create({ type: FAILURE_TYPES.unsupported, nonRetryable: true, message: `${input.credential.provider}: cannot ${input.rung}` });
      }
      const r =
        input.rung === 'suspendPrincipal'
          ? await connector.suspendPrincipal(input.credential.principal)
          : await connector[input.rung](input.credential);
      log.warn('fallback used', { credential: credentialKey(input.credential), rung: input.rung, outcome: r.outcome });
      return r;
    }),

    notify: mapFailures(async (n: Notification): Promise<void> => {
      log.info('notification', { kind: n.kind, workflowId: n.workflowId, incidentId: n.incidentId, stage: n.stage, summary: n.summary });
      await deps.notifier?.notify(n);
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
