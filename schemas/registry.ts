// The shapes of the replacement registry's updates (workflows/replacement-registry.ts), which its
// validators check: anyone with access to the namespace can send them. Pure zod.
import { z } from 'zod';

const id = z.string().min(1).max(1024);

const claim = z.object({
  credentialId: id,
  consumerId: id,
  workflowId: id,
  takeOverFrom: id.optional(),
  claimerStartedAt: z.string().min(1).max(64),
  /** The claimer will mint a replacement the provider cannot label: note the mint with the claim, if won (one update, not two). */
  noteMint: z.literal(true).optional(),
});
const record = z.object({ credentialId: id, consumerId: id, workflowId: id, replacementId: id });
/** The most claims and records one batch update carries. */
export const MAX_REGISTRY_BATCH = 200;

export const RegistryUpdateShapes = {
  claim,
  record,
  mint: z.object({ credentialId: id, consumerId: id, workflowId: id }),
  finished: z.object({ workflowId: id }),
  /** Claims and records for one registry, applied in order by one update (activities/replacement-registry.ts). */
  batch: z.object({
    ops: z
      .array(z.union([z.object({ claim }).strict(), z.object({ record }).strict()]))
      .min(1)
      .max(MAX_REGISTRY_BATCH),
  }),
};

/** The updates' argument types, derived from the shapes their validators check. */
export type RegistryClaim = z.infer<typeof RegistryUpdateShapes.claim>;
export type RegistryRecord = z.infer<typeof RegistryUpdateShapes.record>;
export type RegistryMint = z.infer<typeof RegistryUpdateShapes.mint>;
export type RegistryRunFinished = z.infer<typeof RegistryUpdateShapes.finished>;
export type RegistryBatch = z.infer<typeof RegistryUpdateShapes.batch>;

/** What is wrong with `raw` for `shape` (the first issue, naming the field), or undefined when it fits. */
export function registryUpdateIssue(shape: z.ZodType, raw: unknown): string | undefined {
  const parsed = shape.safeParse(raw);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join('.') || '(input)'}: ${issue?.message}`;
}
