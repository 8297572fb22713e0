// The approval policy of API-started containments, from the server's environment: either the whole
// policy as JSON (CORDON_APPROVAL_POLICY, schemas/containment.ts ApprovalPolicy) or just the
// approvers (CORDON_API_APPROVERS, comma-separated principals). Callers cannot set it (I7).
import { readEnv } from '../schemas/config.ts';
import { ApprovalPolicy } from '../schemas/containment.ts';

export function approvalPolicyFromEnv(env: NodeJS.ProcessEnv): ApprovalPolicy {
  // readEnv refuses a value that is not JSON, naming the variable (a bare SyntaxError did not).
  const policy = readEnv(env, 'CORDON_APPROVAL_POLICY');
  if (policy) {
    const parsed = ApprovalPolicy.safeParse(JSON.parse(policy));
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new Error(`CORDON_APPROVAL_POLICY: ${i?.path.join('.') || '(root)'}: ${i?.message}`);
    }
    return parsed.data;
  }
  const approvers = (readEnv(env, 'CORDON_API_APPROVERS') ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  return ApprovalPolicy.parse({ approvers });
}
