// The registry of replacements Cordon issued (design I8): one long-lived workflow per principal and task
// queue (activities/replacement-registry.ts picks it) that every containment asks before it mints a
// replacement or ends one of that principal's credentials. Kept in Temporal, so it
// holds across many workers and a restarted server; updates are serialised by the workflow, so two
// runs racing for the same consumer get one owner. Continues as new to keep its history bounded.
import { allHandlersFinished, condition, continueAsNew, defineQuery, defineUpdate, makeContinueAsNewFunc, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { coordinationTaskQueue, isCoordinationTaskQueue } from '../schemas/containment.ts';
import { RegistryUpdateShapes, registryUpdateIssue, type RegistryBatch, type RegistryClaim, type RegistryMint, type RegistryRecord, type RegistryRunFinished } from '../schemas/registry.ts';

export const REGISTRY_WORKFLOW_TYPE = 'replacementRegistry';
export const registryWorkflowId = (taskQueue: string) => `cordon-replacement-registry-${taskQueue}`;

export interface RegistryEntry {
  /** `provider:id` of the credential whose consumer the replacement serves. */
  credentialId: string;
  consumerId: string;
  /** The containment run that owns (is issuing, or issued) the replacement. */
  workflowId: string;
  /** Set once minted: the provider's id of the new credential. */
  replacementId?: string;
  at: string;
  /** Set when the owning run ended: a run started later is no longer its competitor. */
  ownerFinishedAt?: string;
  /**
   * When the owner's attempts were about to mint a replacement the provider cannot label (a GitHub
   * installation token): noted before the mint, so an attempt that finds no delivery knows an earlier one
   * may have minted a credential nobody holds (design I4).
   */
  mintsNotedAt?: string[];
  /** In a claim's answer only, never kept: the claiming run held no claim on this consumer before this one. */
  firstClaim?: true;
  /**
   * In a claim's answer only: the claim asked to note a mint (`noteMint`) and it is noted, after the notes the
   * answer lists. A registry older than `noteMint` leaves it out, and the claimer notes the mint on its own.
   */
  mintNoted?: true;
}

/** A claim on (credential, consumer); its shape, checked by the update's validator, is in schemas/registry.ts. */
export type ClaimInput = RegistryClaim;

export const claimReplacementUpdate = defineUpdate<RegistryEntry, [ClaimInput]>('claimReplacement');
export const recordReplacementUpdate = defineUpdate<RegistryEntry, [RegistryRecord]>('recordReplacement');
/**
 * Claims and records of several replacements in one update, applied in order, each answered as its own update
 * would be: a worker sends the ones that wait while an update to the same registry is in flight as one
 * (activities/replacement-registry.ts). A registry run by a worker that predates it refuses it as unknown.
 */
export const registryBatchUpdate = defineUpdate<RegistryEntry[], [RegistryBatch]>('applyRegistryBatch');
/** The owner of (credential, consumer) is about to mint an unlabelled replacement; acknowledged before it does. */
export const noteUnlabelledMintUpdate = defineUpdate<RegistryEntry | undefined, [RegistryMint]>('noteUnlabelledMint');
/** A run ended: its claims stop binding runs that start afterwards (its issued replacements stay protected). */
export const runFinishedUpdate = defineUpdate<number, [RegistryRunFinished]>('runFinished');
/** Replacement ids issued by a run other than `workflowId`, among `ids`. */
export const issuedElsewhereQuery = defineQuery<RegistryEntry[], [{ ids: string[]; workflowId: string }]>('issuedElsewhere');

/** Entries kept: far more replacements than a tenant holds live at once; the oldest go first. */
const MAX_ENTRIES = 50_000;
/** Mint notes kept per entry: the first and the latest ones are what a report needs. */
const MAX_MINT_NOTES = 10;
const HISTORY_LIMIT = 4_000;

// Anyone with access to the namespace can send these updates: a validator refuses a malformed one
// before it is written to history, so a bad payload can neither fail the registry's workflow tasks nor
// leave an entry without an owner.
function validatorOf(shape: (typeof RegistryUpdateShapes)[keyof typeof RegistryUpdateShapes]): { validator: (raw: unknown) => void } {
  return {
    validator: (raw) => {
      const issue = registryUpdateIssue(shape, raw);
      if (issue) throw new Error(`invalid registry update: ${issue}`);
    },
  };
}

export async function replacementRegistry(carried: { entries: RegistryEntry[] } = { entries: [] }): Promise<void> {
  const byConsumer = new Map<string, RegistryEntry>();
  const byReplacement = new Map<string, RegistryEntry>();
  const keyOf = (credentialId: string, consumerId: string) => `${credentialId}|${consumerId}`;
  const put = (e: RegistryEntry) => {
    byConsumer.delete(keyOf(e.credentialId, e.consumerId)); // re-inserted last: the map keeps age order
    byConsumer.set(keyOf(e.credentialId, e.consumerId), e);
    if (e.replacementId) byReplacement.set(e.replacementId, e);
    while (byConsumer.size > MAX_ENTRIES) {
      const oldest = byConsumer.values().next().value!;
      byConsumer.delete(keyOf(oldest.credentialId, oldest.consumerId));
      if (oldest.replacementId) byReplacement.delete(oldest.replacementId);
    }
  };
  for (const e of carried.entries) put(e);
  const now = () => new Date(Date.now()).toISOString();

  const claim = (c: RegistryClaim): RegistryEntry => {
    const held = byConsumer.get(keyOf(c.credentialId, c.consumerId));
    const mine = held?.workflowId === c.workflowId;
    // A retry takes over only what its predecessor had claimed but not issued; an issued replacement stays its issuer's.
    const inherited = held?.workflowId === c.takeOverFrom && !held?.replacementId;
    // A run that ended before this one started is history: the credential lived on, so its consumer is served again.
    const stale = !!held?.ownerFinishedAt && held.ownerFinishedAt < c.claimerStartedAt;
    if (held && !mine && !inherited && !stale) return held;
    // Mints noted by this run's earlier attempts (or by the run it retries) stay: they may have left an orphan.
    const notes = (mine || inherited) && held?.mintsNotedAt?.length ? { mintsNotedAt: held.mintsNotedAt } : {};
    const entry: RegistryEntry = { credentialId: c.credentialId, consumerId: c.consumerId, workflowId: c.workflowId, at: now(), ...(mine && held?.replacementId ? { replacementId: held.replacementId } : {}), ...notes };
    put(entry);
    // The answer lists the notes from before this claim; the mint it announces is noted after them.
    const answer: RegistryEntry = { ...entry, ...(mine ? {} : { firstClaim: true as const }), ...(c.noteMint ? { mintNoted: true as const } : {}) };
    if (c.noteMint) entry.mintsNotedAt = [...(entry.mintsNotedAt ?? []), now()].slice(-MAX_MINT_NOTES);
    return answer;
  };
  const record = (r: RegistryRecord): RegistryEntry => {
    // The owner records its replacement as its delivery starts (activities/index.ts): the notes of its unlabelled
    // mints stay, for a retry to report a possible orphan should that delivery not complete.
    const held = byConsumer.get(keyOf(r.credentialId, r.consumerId));
    const notes = held?.workflowId === r.workflowId && held.mintsNotedAt?.length ? { mintsNotedAt: held.mintsNotedAt } : {};
    const entry: RegistryEntry = { ...r, at: now(), ...notes };
    put(entry);
    return entry;
  };
  setHandler(claimReplacementUpdate, claim, validatorOf(RegistryUpdateShapes.claim));
  setHandler(recordReplacementUpdate, record, validatorOf(RegistryUpdateShapes.record));
  setHandler(registryBatchUpdate, ({ ops }) => ops.map((op) => ('claim' in op ? claim(op.claim) : record(op.record))), validatorOf(RegistryUpdateShapes.batch));
  setHandler(noteUnlabelledMintUpdate, (n) => {
    const held = byConsumer.get(keyOf(n.credentialId, n.consumerId));
    if (!held || held.workflowId !== n.workflowId) return held; // only the owner mints (claim first)
    held.mintsNotedAt = [...(held.mintsNotedAt ?? []), now()].slice(-MAX_MINT_NOTES);
    return held;
  }, validatorOf(RegistryUpdateShapes.mint));
  setHandler(runFinishedUpdate, ({ workflowId }) => {
    let n = 0;
    for (const e of byConsumer.values()) {
      if (e.workflowId !== workflowId || e.ownerFinishedAt) continue;
      e.ownerFinishedAt = now();
      n++;
    }
    return n;
  }, validatorOf(RegistryUpdateShapes.finished));
  setHandler(issuedElsewhereQuery, ({ ids, workflowId }) =>
    ids.map((id) => byReplacement.get(id)).filter((e): e is RegistryEntry => !!e && e.workflowId !== workflowId),
  );

  await condition(() => workflowInfo().historyLength > HISTORY_LIMIT || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  const carriedOn = { entries: [...byConsumer.values()] };
  // A registry started before the coordination queue existed moves there when it continues.
  const { taskQueue } = workflowInfo();
  if (!isCoordinationTaskQueue(taskQueue) && patched('registry-coordination-queue')) {
    await makeContinueAsNewFunc<typeof replacementRegistry>({ taskQueue: coordinationTaskQueue(taskQueue) })(carriedOn);
  }
  await continueAsNew<typeof replacementRegistry>(carriedOn);
}
