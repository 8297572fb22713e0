// Step 3, contain: revoke before replace (direct, I1), or staged waves for shared credentials (I2).
// Credentials are contained side by side; a refusal stops only its own credential.
import { credentialKey, type Credential } from '../../schemas/credential.ts';
import { guarded, settleAll } from './branches.ts';
import { planOf, type Containment } from './context.ts';
import { replacePrimary } from './replace.ts';
import { revoke } from './revoke.ts';
import { containStaged } from './staged.ts';

export async function contain(run: Containment): Promise<void> {
  const plan = planOf(run);
  run.setStage('revoke');
  const staged = (c: Credential) => plan.actions.some((a) => a.credentialId === credentialKey(c) && a.step === 'restrict');
  await settleAll(plan.credentials.map((c, i) => guarded(run, credentialKey(c), () => (staged(c) ? containStaged(run, c, i) : containDirect(run, c)))));
}

/** I1: the provider acknowledged the revocation before any replacement is requested. */
async function containDirect(run: Containment, c: Credential): Promise<void> {
  const key = credentialKey(c);
  await revoke(run, c, key);
  await replacePrimary(run, c, key, c.consumers);
}
