// The short drill summary posted in the Slack thread: Block Kit blocks plus the `text` fallback that
// notifications and screen readers show. Pure (posting is the Slack app's job). Text from the run
// is escaped for mrkdwn (& < >) so a label cannot ping a channel or forge a link; statuses carry no
// secrets (I5).
import type { DrillReport } from '../schemas/drill.ts';
import { formatMs } from '../drills/grade.ts';

export interface SlackSummary {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

/** Slack's mrkdwn escaping: only &, < and > are control characters (docs: "Escaping text"). */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const MAX_LINES = 8;

function capped(lines: string[]): string {
  return lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), `…and ${lines.length - MAX_LINES} more`].join('\n') : lines.join('\n');
}

export function drillSlackSummary(r: DrillReport, options: { reportUrl?: string } = {}): SlackSummary {
  const pass = r.verdict === 'pass';
  const dead = r.credentials.filter((c) => c.finalState === 'verified_dead').length;
  const slowestRevoke = Math.max(0, ...r.credentials.map((c) => c.timeToRevokeMs ?? 0));
  const slowestDead = Math.max(0, ...r.credentials.map((c) => c.timeToVerifiedDeadMs ?? 0));
  const longestWait = Math.max(0, ...r.approvals.map((a) => a.waitMs));
  const failed = r.checks.filter((c) => !c.ok);
  const headline = `Drill ${r.drill}: ${pass ? 'PASS' : 'FAIL'} (${dead}/${r.credentials.length} verified dead, outcome ${r.outcome})`;

  const credentialLines = r.credentials.map((c) => {
    const mark = c.finalState === 'verified_dead' ? ':white_check_mark:' : c.finalState === 'cut_off' && c.expected === 'cut_off' ? ':scissors:' : c.expected === 'not_contained' ? ':warning:' : ':x:';
    const times = [c.timeToRevokeMs !== undefined ? `revoked +${formatMs(c.timeToRevokeMs)}` : 'not revoked', c.timeToVerifiedDeadMs !== undefined ? `dead +${formatMs(c.timeToVerifiedDeadMs)}` : c.finalState.replace('_', ' ')];
    return `${mark} ${escapeMrkdwn(c.provider)} · ${escapeMrkdwn(c.label)}: ${times.join(', ')}${c.expected !== 'verified_dead' ? ` (${c.expected === 'cut_off' ? 'cut off in tenant' : 'known limit'}: ${escapeMrkdwn(c.expectedReason ?? '')})` : ''}`;
  });
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: `${pass ? '✅' : '❌'} ${headline}`.slice(0, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Slowest revoke*\n${formatMs(slowestRevoke)} (target ${escapeMrkdwn(r.targets.revokeWithin)})` },
        { type: 'mrkdwn', text: `*Slowest verified dead*\n${formatMs(slowestDead)} (target ${escapeMrkdwn(r.targets.containWithin)})` },
        { type: 'mrkdwn', text: `*Approval waits*\n${r.approvals.length ? `${r.approvals.length}, longest ${formatMs(longestWait)}` : 'none'}` },
        { type: 'mrkdwn', text: `*Consumers that would break*\n${r.brokenConsumers.length}` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: capped(credentialLines).slice(0, 3000) } },
  ];
  if (failed.length) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Failed checks*\n${capped(failed.map((c) => `• ${escapeMrkdwn(c.description)}: ${escapeMrkdwn(c.actual)} (target ${escapeMrkdwn(c.limit)})`))}`.slice(0, 3000) } });
  }
  if (r.brokenConsumers.length) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Must re-authorize*\n${capped(r.brokenConsumers.map((b) => `• ${escapeMrkdwn(b.consumerName)} (${escapeMrkdwn(b.credentialId)})`))}`.slice(0, 3000) } });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${escapeMrkdwn(r.workflowId)} · mode ${r.mode}${r.durationMs !== undefined ? ` · ${formatMs(r.durationMs)}` : ''}${options.reportUrl ? ` · <${encodeURI(options.reportUrl)}|full report>` : ''}` }],
  });
  const text = [headline, ...failed.map((c) => `failed: ${c.description} (${c.actual}, target ${c.limit})`)].map(escapeMrkdwn).join('\n');
  return { text, blocks };
}
