// Starting a containment from Slack (command or modal): open the thread first, so the workflow's
// input carries where to post (origin.slackChannel / slackThreadTs), then start it through the shared
// client path (idempotent, I4) and follow it.
import type { WebClient } from '@slack/web-api';
import { WorkflowNotFoundError } from '@temporalio/client';
import { containmentWorkflowId, getStatus, InvalidInputError, startContainment } from '../client/containments.ts';
import type { ContainmentInput } from '../schemas/containment.ts';
import { section } from '../notifiers/slack/blocks/block-kit.ts';
import { statusReplyBlocks, threadStatusBlocks, threadText } from '../notifiers/slack/blocks/containment-thread.ts';
import type { SlackDeps } from './deps.ts';
import { tellUser } from './tell-user.ts';
import { threadRequestFromInput } from '../notifiers/slack/thread-request.ts';

export async function startFromSlack(deps: SlackDeps, web: WebClient, input: ContainmentInput, where: { channel: string; user: string }): Promise<void> {
  const workflowId = containmentWorkflowId(input);
  const log = deps.logger.child({ workflowId, incidentId: input.incidentId });
  // Break-glass lets a requester approve their own containment: only the people named for it may declare it.
  if (input.breakGlass && !(deps.breakGlassUsers ?? []).includes(where.user)) {
    log.warn('break-glass refused', { user: where.user });
    await tellUser(web, log, where, `Nothing was started for ${input.incidentId}: you are not allowed to declare break-glass (CORDON_SLACK_BREAK_GLASS). Start it without --break-glass and ask an approver.`);
    return;
  }
  try {
    await openThreadAndStart(deps, web, input, where, workflowId, log);
  } catch (err) {
    // The command was acked already: the user learns here, the log keeps the cause.
    log.error('containment not started', { error: err });
    const slackError = (err as { data?: { error?: string } }).data?.error;
    const why =
      slackError === 'not_in_channel' || slackError === 'channel_not_found'
        ? 'Cordon cannot post in this channel: invite it (`/invite @cordon`) and try again'
        : 'Cordon could not reach its workflow engine or Slack; try again, or use the HTTP API';
    await tellUser(web, log, where, `Nothing was started for ${input.incidentId}: ${why}.`);
  }
}

async function openThreadAndStart(deps: SlackDeps, web: WebClient, input: ContainmentInput, where: { channel: string; user: string }, workflowId: string, log: SlackDeps['logger']): Promise<void> {
  // Already running or finished for this incident and credential: say where, open no second thread.
  if (await exists(deps, workflowId)) {
    const status = await getStatus(deps.temporal, workflowId).catch(() => undefined);
    await tellUser(web, log, where, `A containment of this credential for ${input.incidentId} already exists (workflow ${workflowId}); nothing new was started.`, status ? statusReplyBlocks([status]) : undefined);
    return;
  }
  const request = threadRequestFromInput(input, workflowId);
  const root = await web.chat.postMessage({ channel: where.channel, text: threadText(request), blocks: threadStatusBlocks(request) });
  const ts = root.ts!;
  try {
    const started = await startContainment(deps.temporal, deps.taskQueue, { ...input, origin: { channel: 'slack', slackChannel: root.channel ?? where.channel, slackThreadTs: ts } });
    log.info('containment started from slack', { created: started.created, requester: input.requester });
    if (!started.created) {
      // Lost a race with an identical start: this thread is not the one the run posts to.
      const text = `${input.incidentId}: already being contained (workflow ${workflowId}); follow the first thread.`;
      await web.chat.update({ channel: root.channel ?? where.channel, ts, text, blocks: [section(text)] });
      return;
    }
    deps.follower.follow(request, root.channel ?? where.channel, ts);
  } catch (err) {
    const why = err instanceof InvalidInputError ? `invalid input: ${err.message}` : 'Cordon could not reach its workflow engine; try again or use the API';
    log.error('containment not started', { error: err });
    const text = `${input.incidentId}: not started (${why})`;
    await web.chat.update({ channel: root.channel ?? where.channel, ts, text, blocks: [section(text)] });
    await tellUser(web, log, where, `Nothing was started: ${why}.`);
  }
}

async function exists(deps: SlackDeps, workflowId: string): Promise<boolean> {
  try {
    await deps.temporal.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
