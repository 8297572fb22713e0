// Staged containment of a shared credential (I2): restrict it (temporarily, undone when the run ends)
// → approved waves of per-consumer replacements → revoke; fail closed on a rejection or the deadline.
import { isCancellation } from '@temporalio/workflow';
import { credentialKey, type Credential } from '../../schemas/credential.ts';
import { FAILURE_TYPES } from '../../schemas/failure-types.ts';
import { awaitApproval, withBlastRadius } from './approvals.ts';
import { planOf, type ApprovalResult, type Containment } from './context.ts';
import { failureMessage, failureType } from './failures.ts';
import { replacePrimary } from './replace.ts';
import { revoke } from './revoke.ts';

/** I2: restrict → approved waves of per-consumer replacements → revoke; fail closed on reject or deadline. */
export async function containStaged(run: Containment, c: Credential, index: number): Promise<void> {
  const { state, acts, record } = run;
  const plan = planOf(run);
  const key = credentialKey(c);
  const waves = plan.actions.filter((a) => a.credentialId === key && a.step === 'replace');
  const failClosed = async (stage: string, d: ApprovalResult) => {
    record({ kind: 'staged_fail_closed', actor: 'cordon', credentialId: key, stage, cause: d.result === 'rejected' ? 'rejected' : 'deadline', rejectedBy: d.result === 'rejected' ? d.by : [] });
    await revoke(run, c, key);
    const remaining = c.consumers.filter((x) => !run.progressOf(key).replacements.some((r) => r.consumerId === x.id));
    await replacePrimary(run, c, key, remaining, { detail: 'issued after revocation (fail closed)' });
  };
  const allowlist = plan.actions.find((a) => a.credentialId === key && a.step === 'restrict')?.allowlist ?? [];
  const restrictStage = `c${index}-restrict`;
  const restrict = await awaitApproval(run, {
    stage: restrictStage,
    description: withBlastRadius(
      run,
      `Restrict ${c.label} (${c.provider}) while its ${c.consumers.length} consumers are cut over: ` +
        (allowlist.length ? `usable only from the consumers' egress ${allowlist.join(', ')}` : 'no consumer egress is known, so the provider’s narrowest reversible restriction') +
        '; undone when the run ends',
    ),
    credentialIds: [key],
    consumerIds: [],
    wave: 0,
  });
  if (restrict.result !== 'approved') return failClosed(restrictStage, restrict);
  try {
    const restriction = allowlist.length ? { kind: 'ip_allowlist' as const, values: allowlist } : { kind: 'scope_downgrade' as const, values: [] };
    const r = await run.untilDeadline(`restricting ${c.label}`, () => acts.restrictCredential({ credential: c, restriction }));
    record({
      kind: 'restricted',
      actor: restrict.by.join(','),
      credentialId: key,
      restriction: restriction.kind,
      result: r.outcome,
      approvers: restrict.by,
      ...(r.detail ? { detail: r.detail } : {}),
      ...(r.undo ? { undo: r.undo.description } : {}),
      ...(r.requestId ? { requestId: r.requestId } : {}),
    });
    if (r.undo) state.restrictions.push({ credentialId: key, detail: r.detail ?? restriction.kind, undo: r.undo, undone: false });
  } catch (err) {
    // The provider offers no restriction for this credential (or none for an empty allowlist): the waves go on without one.
    if (!([FAILURE_TYPES.unsupported, FAILURE_TYPES.invalid, FAILURE_TYPES.conflict] as string[]).includes(failureType(err) ?? '')) throw err;
    record({ kind: 'restriction_not_possible', actor: 'cordon', credentialId: key, reason: failureMessage(err) });
  }
  for (const wave of waves) {
    const consumers = c.consumers.filter((x) => wave.consumerIds.includes(x.id));
    const waveStage = `c${index}-wave-${wave.wave}`;
    const d = await awaitApproval(run, {
      stage: waveStage,
      description: `Wave ${wave.wave}/${waves.length} for ${c.label}: issue a replacement for ${consumers.map((x) => x.name).join(', ')} and cut them over`,
      credentialIds: [key],
      consumerIds: wave.consumerIds,
      wave: wave.wave,
    });
    if (d.result !== 'approved') return failClosed(waveStage, d);
    // The recorded exception to I1: replacements before revocation, with who approved it.
    await replacePrimary(run, c, key, consumers, { detail: `I1 exception approved by ${d.by.join(', ')} (staged wave ${wave.wave})` });
  }
  await revoke(run, c, key);
}

/** Temporary restrictions end with the run, whatever its outcome; a failed undo is loud and retried until the deadline. */
export async function undoRestrictions(run: Containment): Promise<void> {
  const plan = planOf(run);
  for (const r of run.state.restrictions.filter((x) => !x.undone)) {
    const c = plan.credentials.find((x) => credentialKey(x) === r.credentialId)!;
    try {
      const u = await run.untilDeadline(`undoing the restriction of ${c.label}`, () => run.acts.unrestrictCredential({ credential: c, undo: r.undo }));
      r.undone = true;
      run.record({ kind: 'unrestricted', actor: 'cordon', credentialId: r.credentialId, result: u.outcome, undo: r.undo.description });
    } catch (err) {
      if (isCancellation(err)) throw err;
      run.record({ kind: 'unrestrict_failed', actor: 'cordon', credentialId: r.credentialId, undo: r.undo.description, reason: failureMessage(err) });
      await run.notify({ kind: 'escalation', stage: `provider:undo ${r.credentialId}`.slice(0, 128), summary: `Could not undo a temporary restriction: ${r.undo.description}. Do it by hand.` });
    }
  }
}
