// `/cordon …`: parse with the shared schemas, answer mistakes and help in the ack itself (an
// ephemeral response), then start, look up or open the form.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseCordonCommand } from '../command-parser.ts';
import { helpBlocks } from '../blocks/help.ts';
import { containModal } from '../blocks/modals.ts';
import { statusReplyBlocks } from '../../notifiers/slack/blocks/containment-thread.ts';
import type { SlackDeps } from '../deps.ts';
import { containmentsOfIncident } from '../incident-lookup.ts';
import { startFromSlack } from '../start-containment.ts';
import { tellUser } from '../tell-user.ts';
import { ContainModalMetadata } from '../../schemas/slack.ts';
import { WorkflowNotFoundError } from '@temporalio/common';
import { massStatusLine, NotAMassContainmentError, readMassProgress } from '../../client/mass.ts';

export function cordonCommand(deps: SlackDeps) {
  return async ({ command, ack, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const parsed = parseCordonCommand(command.text ?? '', { requester: command.user_id, approvers: deps.approvers, ...(deps.policy ? { policy: deps.policy } : {}) });
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', text: parsed.error });
      return;
    }
    const where = { channel: command.channel_id, user: command.user_id };
    const c = parsed.command;
    switch (c.kind) {
      case 'help':
        await ack({ response_type: 'ephemeral', text: 'How to use /cordon', blocks: helpBlocks() });
        return;
      case 'open_modal':
        await ack();
        await client.views.open({ trigger_id: command.trigger_id, view: containModal(JSON.stringify(ContainModalMetadata.parse({ channel: command.channel_id }))) });
        return;
      case 'status': {
        await ack();
        const statuses = await containmentsOfIncident(deps.temporal, c.incidentId).catch((err: unknown) => {
          deps.logger.error('status lookup failed', { incidentId: c.incidentId, error: err });
          return undefined;
        });
        if (!statuses) await tellUser(client, deps.logger, where, `Could not look up ${c.incidentId} right now; try again in a moment.`);
        else if (statuses.length === 0) await tellUser(client, deps.logger, where, `No containment found for incident ${c.incidentId}.`);
        else await tellUser(client, deps.logger, where, `Containments of ${c.incidentId}`, statusReplyBlocks(statuses));
        return;
      }
      case 'mass_status': {
        await ack();
        const progress = await readMassProgress(deps.temporal, c.massId).catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError || err instanceof NotAMassContainmentError) return null;
          deps.logger.error('mass status lookup failed', { massId: c.massId, error: err });
          return undefined;
        });
        if (progress === undefined) await tellUser(client, deps.logger, where, `Could not look up ${c.massId} right now; try again in a moment.`);
        else if (progress === null) await tellUser(client, deps.logger, where, `No mass containment ${c.massId}.`);
        else await tellUser(client, deps.logger, where, `Mass containment ${c.massId} (${progress.executionStatus.toLowerCase()}): ${massStatusLine(progress)}`);
        return;
      }
      case 'contain':
        await ack({ response_type: 'ephemeral', text: `Starting the containment for ${c.input.incidentId}; follow the thread in this channel.` });
        await startFromSlack(deps, client, c.input, where);
        return;
    }
  };
}
