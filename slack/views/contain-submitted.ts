// The contain modal, submitted: the same validation as `/cordon contain`; a mistake is shown as an
// error under the input it is about (response_action: errors), otherwise the containment starts.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { ContainModalMetadata } from '../../schemas/slack.ts';
import { buildContainment } from '../command-parser.ts';
import type { SlackDeps } from '../deps.ts';
import { startFromSlack } from '../start-containment.ts';
import { checkedValues, inputValue } from './view-values.ts';

export function containSubmitted(deps: SlackDeps) {
  return async ({ ack, view, body, client }: SlackViewMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const metadata = ContainModalMetadata.safeParse(safeJson(view.private_metadata));
    if (!metadata.success) {
      await ack({ response_action: 'errors', errors: { ref: 'This form is out of date; run /cordon contain again.' } });
      return;
    }
    const severity = inputValue(view, 'severity');
    const kind = inputValue(view, 'kind');
    const reason = inputValue(view, 'reason');
    const built = buildContainment(
      {
        provider: inputValue(view, 'provider') ?? '',
        ref: inputValue(view, 'ref') ?? '',
        incident: inputValue(view, 'incident') ?? '',
        shared: checkedValues(view, 'shared').includes('staged'),
        ...(severity ? { severity } : {}),
        ...(kind ? { kind } : {}),
        ...(reason ? { reason } : {}),
      },
      { requester: body.user.id, approvers: deps.approvers, ...(deps.policy ? { policy: deps.policy } : {}) },
    );
    if (!built.ok) {
      await ack({ response_action: 'errors', errors: built.errors as Record<string, string> });
      return;
    }
    await ack();
    await startFromSlack(deps, client, built.input, { channel: metadata.data.channel, user: body.user.id });
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
