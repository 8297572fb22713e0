// The value of an Approve / Reject button, parsed with the shared schema (a forged or stale value
// is refused here or by the workflow's validator, never trusted).
import { ApprovalButtonValue } from '../../schemas/slack.ts';

export function buttonValue(raw: string | undefined): ApprovalButtonValue | undefined {
  try {
    const parsed = ApprovalButtonValue.safeParse(JSON.parse(raw ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
