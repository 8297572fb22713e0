// Activities of the drift watch (docs/drift-watch.md). They run on the watch task queue, polled only by the
// worker that holds the baseline store (CORDON_WATCH_DB), so one process owns the SQLite file. Reading a
// provider, ingesting what it gave and checkpointing its cursor are one activity: the cursor is written in the
// same transaction as the baselines, so a crash between them re-reads a page the store then skips as duplicates.
// Activity names are recorded in history: never rename one.
import { Context } from '@temporalio/activity';
import { heartbeat } from './heartbeat.ts';
import type { Client } from '@temporalio/client';
import type { ConnectorRegistry } from '../connectors/types.ts';
import { can } from '../connectors/capabilities.ts';
import { credentialRefForToken } from '../connectors/audit-refs.ts';
import { createLogger, redactText, type Logger } from '../logging/logger.ts';
import type { CredentialRef } from '../schemas/credential.ts';
import type { AuditProvider } from '../schemas/token-use.ts';
import type { Verdict } from '../schemas/verdict.ts';
import type { ProviderPass } from '../schemas/watch.ts';
import type { Watch } from '../watch/engine.ts';
import type { BaselineStore } from '../watch/baseline-store.ts';
import { mapFailures } from './failures.ts';
import { ApplicationFailure } from '@temporalio/common';
import { detectionFindingOf } from '../export/detection-finding.ts';
import type { OcsfEvent } from '../export/ocsf.ts';
import type { EvidenceSink } from '../notifiers/evidence/sink.ts';
import type { VerdictThreads } from '../notifiers/slack/verdict-thread.ts';
import type { ThreadRequest } from '../notifiers/slack/blocks/containment-thread.ts';
import { WATCH_SCHEDULE_ID, type FindingDelivery, type SettledContainment } from '../schemas/watch.ts';

export interface WatchActivityDeps {
  connectors: ConnectorRegistry;
  watch: Watch;
  /** The watch's store: cursors, and the containments opened for verdicts. */
  store: BaselineStore;
  logger?: Logger;
  /** Opens a Slack thread per containment, with the verdict and Contain / Dismiss (CORDON_WATCH_SLACK_CHANNEL). */
  threads?: VerdictThreads | undefined;
  /** The evidence sinks the verdicts' Detection Findings go to (the worker's CORDON_EVIDENCE_* sinks). */
  findingSinks?: readonly EvidenceSink[] | undefined;
}

/** A finding a sink keeps refusing is tried this many times (backing off to an hour), then recorded as failed. */
export const MAX_FINDING_ATTEMPTS = 8;
const findingRetryAt = (attempts: number, now: number) => now + Math.min(3_600_000, 30_000 * 2 ** attempts);

export interface ProviderIngest {
  pass: ProviderPass;
  ingest: { received: number; accepted: number; malformed: number; duplicate: number; outOfOrder: number; late: number };
  /** Verdicts this pass opened or updated. */
  verdicts: Verdict[];
}

/**
 * A verdict the watch acts on: the containment it asks for, or why it cannot name the credential. `opened` is
 * how many containments the watch opened for it before (a verdict updated after its containment ended
 * contained, e.g. by a use after the revocation, calls for another).
 */
export type VerdictTarget = ({ verdict: Verdict; ref: CredentialRef } | { verdict: Verdict; unmappable: string }) & { opened: number };

const cursorName = (provider: AuditProvider) => `audit:${provider}`;


export function createWatchActivities(deps: WatchActivityDeps) {
  const log = deps.logger ?? createLogger({ base: { component: 'watch-activities' } });
  const { watch, store } = deps;
  const sinkNames = (deps.findingSinks ?? []).map((s) => s.name);
  /** Queues the verdict's Detection Finding (Create, Update or Close) for every sink, in the caller's transaction. */
  const queueFinding = (v: Verdict) => {
    if (!sinkNames.length) return;
    const containment = store.containmentOf(v.id)?.workflowId;
    store.queueFinding(v.id, (revision) => detectionFindingOf(v, { revision, ...(containment ? { containment } : {}) }), sinkNames);
  };

  return {
    watchProviders: async (): Promise<AuditProvider[]> =>
      (Object.entries(deps.connectors) as [string, ConnectorRegistry[keyof ConnectorRegistry]][])
        .filter(([, c]) => c && can(c, 'tokenUse'))
        .map(([p]) => p as AuditProvider)
        .sort(),

    /**
     * Reads one provider's audit log from its checkpoint, ingests what it gave and moves the checkpoint on.
     * A provider that refuses (permission, not Enterprise) is reported in the pass, never thrown; an outage or
     * a rate limit is retried by Temporal with the provider's Retry-After.
     */
    watchProvider: mapFailures(async (input: { provider: AuditProvider; maxPages: number; startAt: string; now?: string }): Promise<ProviderIngest> => {
      const connector = deps.connectors[input.provider];
      if (!connector || !can(connector, 'tokenUse')) throw new Error(`no ${input.provider} connector that reads its audit log is configured on this worker`);
      const cursor = store.getCursor(cursorName(input.provider));
      const batch = await connector.readTokenUse(cursor as never, { maxPages: input.maxPages, startAt: input.startAt, ...(input.now ? { now: input.now } : {}) });
      Context.current().heartbeat();
      const now = input.now ? new Date(input.now) : new Date();
      const result = store.transaction(() => {
        const r = watch.ingest(batch.events, now);
        store.putCursor(cursorName(input.provider), batch.cursor);
        for (const v of r.verdicts) queueFinding(v);
        return r;
      });
      const s = result.stats;
      const watermark = batch.events.reduce<string | undefined>((w, e) => (!w || e.at > w ? e.at : w), undefined);
      log.info('audit log read', { provider: input.provider, pages: batch.stats.pages, events: batch.events.length, verdicts: result.verdicts.length });
      return {
        pass: { provider: input.provider, pages: batch.stats.pages, records: batch.stats.records, events: batch.events.length, duplicates: batch.stats.duplicates, malformed: batch.stats.malformed, late: batch.stats.late, ...(watermark ? { watermark } : {}) },
        ingest: { received: s.received, accepted: s.accepted, malformed: s.malformed, duplicate: s.duplicate, outOfOrder: s.outOfOrder, late: s.late },
        verdicts: result.verdicts,
      };
    }),

    /**
     * The open verdicts that call for a containment and have none running yet, each with the credential
     * reference a containment starts from. Finished containments are settled first: a contained one is a
     * revocation the watch checks from then on; a rejected one dismisses the verdict with the approver's reason.
     */
    verdictsToAct: mapFailures(async (): Promise<VerdictTarget[]> => {
      for (const link of deps.store.openContainments()) await settleLink(deps, Context.current().client as Client, log, link, queueFinding);
      const out: VerdictTarget[] = [];
      for (const verdict of watch.openVerdicts()) {
        if (verdict.action === 'none') continue;
        const last = store.containmentOf(verdict.id);
        // One containment per verdict at a time; another only once the last ended and the verdict changed after.
        if (last && (last.closedAt === undefined || Date.parse(verdict.updatedAt) <= last.closedAt)) continue;
        const opened = store.containmentsOpenedFor(verdict.id);
        const mapped = credentialRefForToken(verdict);
        out.push('ref' in mapped ? { verdict, ref: mapped.ref, opened } : { verdict, unmappable: mapped.why, opened });
      }
      return out;
    }),

    /** Links a verdict to the containment opened for it, so the next pass neither opens another nor forgets it. */
    noteContainment: async (input: { verdictId: string; tokenKey: string; workflowId: string }): Promise<void> => {
      store.linkContainment(input.verdictId, input.tokenKey, input.workflowId);
    },

    /**
     * Opens the containment's Slack thread with the verdict and its Contain / Dismiss buttons, before the
     * containment starts (its input names the thread). Once per containment: a repeated pass gets the thread
     * it opened before. `null` when no channel is configured or the verdict is gone (dismissed meanwhile).
     */
    openVerdictThread: async (input: { tokenKey: string; verdictId: string; request: ThreadRequest & { mode: 'staged' | 'direct' } }): Promise<{ slackChannel: string; slackThreadTs: string } | null> => {
      if (!deps.threads) return null;
      const known = store.threadOf(input.request.workflowId);
      if (known) return { slackChannel: known.channel, slackThreadTs: known.ts };
      const verdict = watch.verdict(input.tokenKey);
      if (!verdict || verdict.id !== input.verdictId) return null;
      // A crash between the post and this record posts the thread again on the retry (at least once).
      const thread = await deps.threads.open(verdict, input.request);
      store.putThread(input.request.workflowId, thread.slackChannel, thread.slackThreadTs);
      log.info('verdict thread opened', { verdictId: verdict.id, workflowId: input.request.workflowId, channel: thread.slackChannel });
      return thread;
    },

    /**
     * Settles one containment the watch opened as soon as it ends (a Dismiss from Slack cancels it): waits for
     * it to close, then records what its end means for the verdict — a dismissal with who and why, which
     * teaches the baseline, or a revocation. Still running after a while: a retryable failure, Temporal retries.
     */
    settleContainment: mapFailures(async (input: { workflowId: string }): Promise<SettledContainment> => {
      const client = Context.current().client as Client;
      const link = store.containmentLink(input.workflowId);
      if (!link) throw ApplicationFailure.create({ type: 'cordon.not_a_watch_containment', nonRetryable: true, message: `${input.workflowId} is not a containment the drift watch opened on this store` });
      if (link.closedAt === undefined) {
        const until = Date.now() + 30_000;
        while ((await client.workflow.getHandle(input.workflowId).describe()).status.name === 'RUNNING') {
          if (Date.now() > until) throw ApplicationFailure.create({ type: 'cordon.containment_still_running', message: `${input.workflowId} is still running; settled once it ends` });
          Context.current().heartbeat();
          await Context.current().sleep(500);
        }
        await settleLink(deps, client, log, link, queueFinding);
      }
      const settled = store.containmentLink(input.workflowId);
      const verdict = watch.verdict(link.tokenKey);
      const dismissal = verdict?.id === link.verdictId && verdict.status === 'dismissed' ? verdict.dismissal : undefined;
      return { workflowId: input.workflowId, verdictId: link.verdictId, outcome: settled?.outcome ?? 'unknown', ...(dismissal ? { dismissal: { by: dismissal.by, reason: dismissal.reason, at: dismissal.at } } : {}) };
    }),

    /**
     * Hands the queued Detection Findings to each sink. A sink's failure never fails the pass: the findings are
     * tried again later (backing off), and after MAX_FINDING_ATTEMPTS recorded as failed with the error.
     */
    deliverFindings: async (input: { now?: string } = {}): Promise<FindingDelivery> => {
      const out = { delivered: 0, retrying: 0, failed: 0 };
      const now = input.now ? Date.parse(input.now) : Date.now();
      for (const sink of deps.findingSinks ?? []) {
        // Batches of 100 (a HEC batch and its acknowledgement stay well inside the heartbeat timeout), at most 10 a pass.
        for (let batch = 0; batch < 10; batch++) {
          const due = store.dueFindings(sink.name, now, 100);
          if (!due.length) break;
          try {
            await sink.deliver({ workflowId: WATCH_SCHEDULE_ID, events: due.map((f) => f.finding as OcsfEvent) });
            store.findingsDelivered(due.map((f) => f.seq), now);
            out.delivered += due.length;
          } catch (err) {
            const error = redactText(err instanceof Error ? err.message : String(err)).slice(0, 500);
            store.transaction(() => {
              for (const f of due) {
                const giveUp = f.attempts + 1 >= MAX_FINDING_ATTEMPTS;
                store.findingsFailed([f.seq], error, now, giveUp ? undefined : findingRetryAt(f.attempts, now));
                if (giveUp) out.failed++;
                else out.retrying++;
              }
            });
            log.warn('detection findings not delivered', { sink: sink.name, findings: due.length, error });
            break;
          }
          heartbeat();
        }
      }
      return { ...out, pending: store.findingCounts().pending };
    },
  };
}

/** Settles one containment the watch opened, if it has finished: a revocation, or a person's dismissal. */
async function settleLink(deps: WatchActivityDeps, client: Client, log: Logger, link: { workflowId: string; tokenKey: string }, queueFinding: (v: Verdict) => void): Promise<void> {
  let status: SettledStatus;
  try {
    status = await client.workflow.getHandle(link.workflowId).query<SettledStatus>('status');
  } catch (err) {
    log.warn('containment status unreadable', { workflowId: link.workflowId, error: redactText(err instanceof Error ? err.message : String(err)) });
    return;
  }
  if (status.outcome === 'running') return;
  const at = new Date();
  deps.store.transaction(() => {
    if (status.outcome === 'contained' || status.outcome === 'contained_in_tenant') {
      // From now on, a use of this token is the containment failing (use_after_revocation).
      deps.watch.recordRevocations([{ tokenKey: link.tokenKey, at: at.toISOString() }]);
    } else if ((status.outcome === 'cancelled' || status.outcome === 'rejected') && deps.watch.verdict(link.tokenKey)?.status === 'open') {
      // Dismissed by a person (`cordon watch dismiss`, the API, Slack): the reason teaches the baseline.
      const why = [...status.evidence].reverse().find((e) => e.kind === 'cancel_requested' || (e.kind === 'approval_decided' && e.decision === 'rejected'));
      queueFinding(deps.watch.dismiss(link.tokenKey, why?.reason ?? `containment ${link.workflowId} ended ${status.outcome}`, why?.actor ?? 'an approver', at));
    }
    deps.store.closeContainment(link.workflowId, status.outcome, at.getTime());
  });
}

/** The part of a containment's status the watch reads. */
interface SettledStatus {
  outcome: string;
  evidence: { kind: string; actor?: string; reason?: string; decision?: string }[];
}

export type WatchActivities = ReturnType<typeof createWatchActivities>;
