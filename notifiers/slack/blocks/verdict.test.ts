// The verdict post: the reasons in words with their event counts, escaped (a reason quotes a user agent, which
// an attacker chooses), buttons only when the containment waits for approval, and a locked form without them.
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../schemas/verdict.ts';
import { CONTAIN_VERDICT_ACTION, DISMISS_VERDICT_ACTION, lockedVerdictBlocks, verdictBlocks, VERDICT_ACTIONS_BLOCK } from './verdict.ts';

const at = '2026-11-27T12:00:00.000Z';
const verdict: Verdict = {
  id: 'v-1',
  tokenKey: '005Hs000003DrftAAA:Drift',
  provider: 'salesforce',
  principal: '005Hs000003DrftAAA',
  app: 'Drift',
  status: 'open',
  score: 91,
  severity: 'critical',
  triggers: ['new_infrastructure', 'scope_or_volume'],
  reasons: [
    { signal: 'new_user_agent', category: 'new_infrastructure', subject: 'python', text: 'new client class python (user agent "<!channel> python-requests/2.31.0")', eventIds: ['salesforce:1'], weight: 30, firstAt: at, lastAt: at },
    { signal: 'volume_spike', category: 'scope_or_volume', subject: 'volume', text: '400 calls in the hour', eventIds: Array.from({ length: 50 }, (_, i) => `salesforce:${i}`), weight: 40, firstAt: at, lastAt: at },
  ],
  action: 'staged',
  openedAt: at,
  updatedAt: at,
};

describe('the verdict post', () => {
  it('says each reason with its event count, escaped, and offers Contain and Dismiss on a staged containment', () => {
    const blocks = verdictBlocks(verdict, { workflowId: 'cordon-contain-drift-v-1', mode: 'staged' });
    const text = JSON.stringify(blocks);
    expect(text).toContain('score 91 (critical)');
    expect(text).toContain('&lt;!channel&gt; python-requests/2.31.0');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('_(1 event, weight 30)_');
    expect(text).toContain('_(50+ events, weight 40)_');
    const actions = blocks.find((b) => b.block_id === VERDICT_ACTIONS_BLOCK) as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([CONTAIN_VERDICT_ACTION, DISMISS_VERDICT_ACTION]);
    expect(JSON.parse(actions.elements[0]!.value)).toEqual({ workflowId: 'cordon-contain-drift-v-1', verdictId: 'v-1' });
    // Contain asks Slack's confirmation first, under its own verb; Dismiss opens a modal instead.
    const [contain, dismiss] = actions.elements as { style?: string; confirm?: { title: { text: string }; confirm: { text: string }; deny: { text: string } } }[];
    expect(contain).toMatchObject({ style: 'primary', confirm: { title: { text: 'Contain this token?' }, confirm: { text: 'Contain' }, deny: { text: 'Cancel' } } });
    expect(dismiss!.confirm).toBeUndefined();
  });

  it('has no buttons when the containment is direct, and loses them once dismissed', () => {
    expect(verdictBlocks(verdict, { workflowId: 'cordon-contain-drift-v-1', mode: 'direct' }).some((b) => b.block_id === VERDICT_ACTIONS_BLOCK)).toBe(false);
    const locked = lockedVerdictBlocks(verdictBlocks(verdict, { workflowId: 'cordon-contain-drift-v-1', mode: 'staged' }), { state: 'dismissed', by: 'W0SALESMGR', reason: 'CHG-42 <b>' });
    expect(locked.some((b) => b.block_id === VERDICT_ACTIONS_BLOCK)).toBe(false);
    expect(JSON.stringify(locked)).toContain('Dismissed* by <@W0SALESMGR>: CHG-42 &lt;b&gt;');
    expect(JSON.stringify(locked)).toContain('400 calls in the hour');
  });
});
