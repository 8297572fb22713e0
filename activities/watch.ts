// Activities of the drift watch (docs/drift-watch.md). They run on the watch task queue, polled only by the
// worker that holds the baseline store (CORDON_WATCH_DB), so one process owns the SQLite file. Reading a
// provider, ingesting what it gave and checkpointing its cursor are one activity: the cursor is written in the
// same transaction as the baselines, so a crash between them re-reads a page the store then skips as duplicates.
// Activity names are recorded in history: never rename one.
import { Context } from '@temporalio/activity';
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

export interface WatchActivityDeps {
  connectors: ConnectorRegistry;
  watch: Watch;
  /** The watch's store: cursors, and the containments opened for verdicts. */
  store: BaselineStore;
  logger?: Logger;
}

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
      await settleContainments(deps, Context.current().client as Client, log);
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
  };
}

/** Settles the containments the watch opened that have finished since the last pass. */
async function settleContainments(deps: WatchActivityDeps, client: Client, log: Logger): Promise<void> {
  for (const link of deps.store.openContainments()) {
    let status: SettledStatus;
    try {
      status = await client.workflow.getHandle(link.workflowId).query<SettledStatus>('status');
    } catch (err) {
      log.warn('containment status unreadable', { workflowId: link.workflowId, error: redactText(err instanceof Error ? err.message : String(err)) });
      continue;
    }
    if (status.outcome === 'running') continue;
    const at = new Date();
    deps.store.transaction(() => {
      if (status.outcome === 'contained' || status.outcome === 'contained_in_tenant') {
        // From now on, a use of this token is the containment failing (use_after_revocation).
        deps.watch.recordRevocations([{ tokenKey: link.tokenKey, at: at.toISOString() }]);
      } else if ((status.outcome === 'cancelled' || status.outcome === 'rejected') && deps.watch.verdict(link.tokenKey)?.status === 'open') {
        // Dismissed by a person (`cordon watch dismiss`, the API, Slack): the reason teaches the baseline.
        const why = [...status.evidence].reverse().find((e) => e.kind === 'cancel_requested' || (e.kind === 'approval_decided' && e.decision === 'rejected'));
        deps.watch.dismiss(link.tokenKey, why?.reason ?? `containment ${link.workflowId} ended ${status.outcome}`, why?.actor ?? 'an approver', at);
      }
      deps.store.closeContainment(link.workflowId, status.outcome, at.getTime());
    });
  }
}

/** The part of a containment's status the watch reads. */
interface SettledStatus {
  outcome: string;
  evidence: { kind: string; actor?: string; reason?: string; decision?: string }[];
}

export type WatchActivities = ReturnType<typeof createWatchActivities>;
