// The Retry button on a `not_contained` final report → `retryContainment` (the path `cordon retry` and
// the API share): the same input, origin included, as `<id>-retry-<n>`, so the new run's approvals and
// final report come into the same thread, and its status replaces the old one in the thread's first message.
// Who may retry: the run's requester or a Slack approver (CORDON_SLACK_APPROVERS); a break-glass run only
// by someone allowed to declare break-glass, as at the start. Refusals are told only to the clicker.
import type { WebClient } from '@slack/web-api';
import { WorkflowNotFoundError } from '@temporalio/client';
import { getStatus, retryContainment, RetryRefusedError } from '../client/containments.ts';
import type { ContainmentStatus } from '../schemas/containment.ts';
import { mention, type Block } from '../notifiers/slack/blocks/block-kit.ts';
import { retriedReportBlocks, retryStartedBlocks, retryStartedText } from '../notifiers/slack/blocks/retry.ts';
import type { SlackDeps } from './deps.ts';
import { tellUser } from './tell-user.ts';
import { threadRequestFromStatus } from '../notifiers/slack/thread-request.ts';

export interface SlackRetry {
  /** The run to retry, from the button's value (validated, never trusted beyond being an id). */
  workflowId: string;
  user: string;
  channel: string;
  /** The thread the final report is in: the retry is announced and followed there. */
  threadTs?: string | undefined;
  /** The final report clicked, as shown: its Retry button is replaced by what took over. */
  report?: { ts: string; text?: string | undefined; blocks: Block[] } | undefined;
}

/** Retries being started by this app, by the workflow id retried: a double click starts one. */
export type RetriesInFlight = Set<string>;

export async function retryFromSlack(deps: SlackDeps, web: WebClient, r: SlackRetry, inFlight: RetriesInFlight): Promise<void> {
  const { workflowId, user } = r;
  const log = deps.logger.child({ workflowId, user });
  const to = { channel: r.channel, user, threadTs: r.threadTs };
  let status;
  try {
    status = await getStatus(deps.temporal, workflowId);
  } catch (err) {
    log.warn('retry not started: containment not readable', { error: err });
    await tellUser(web, log, to, `Nothing was started: Cordon cannot read containment ${workflowId} right now (unknown, or its workflow engine is unreachable).`);
    return;
  }
  const request = threadRequestFromStatus(status);
  // The same people who act on a containment from Slack: its requester and the configured approvers.
  if (user !== request.requester && !deps.approvers.includes(user)) {
    log.warn('retry refused', { reason: 'not the requester nor an approver', requester: request.requester });
    await tellUser(web, log, to, `Nothing was started: only the requester of ${status.incidentId} (${mention(request.requester)}) or an approver (CORDON_SLACK_APPROVERS) may retry this containment.`);
    return;
  }
  if (request.breakGlass && !(deps.breakGlassUsers ?? []).includes(user)) {
    log.warn('retry refused', { reason: 'break-glass run, user may not declare break-glass' });
    await tellUser(web, log, to, `Nothing was started: ${status.incidentId} was started with break-glass, and you are not allowed to declare break-glass (CORDON_SLACK_BREAK_GLASS). Start a new containment without it.`);
    return;
  }
  if (inFlight.has(workflowId)) {
    await tellUser(web, log, to, `A retry of ${workflowId} is already being started; it will be followed in this thread.`);
    return;
  }
  inFlight.add(workflowId);
  try {
    // A stale button (a Slack client still showing it) must not start a run after a retry that finished:
    // a contained credential is not found again, and a not_contained retry has its own Retry button.
    const previous = await latestRetry(deps, workflowId);
    if (previous && ['contained', 'contained_in_tenant', 'not_contained'].includes(previous.outcome)) {
      const next = previous.outcome === 'not_contained' ? ` use the Retry button on the report of ${previous.workflowId} instead` : ' nothing is left to retry';
      log.info('retry refused', { reason: `already retried as ${previous.workflowId}, ended ${previous.outcome}` });
      await tellUser(web, log, to, `Nothing was started: ${workflowId} was already retried as ${previous.workflowId}, which ended ${previous.outcome};${next}.`);
      return;
    }
    const started = await retryContainment(deps.temporal, deps.taskQueue, workflowId);
    log.info('containment retry from slack', { retryId: started.workflowId, created: started.created, requester: request.requester });
    if (!started.created) {
      await tellUser(web, log, to, `A retry of ${workflowId} is already running: ${started.workflowId}, followed in this thread. Nothing new was started.`);
      return;
    }
    if (!r.threadTs) {
      // A final report is always a thread reply; without a thread there is nothing to follow here.
      await tellUser(web, log, to, retryStartedText(started.workflowId, workflowId, user).replace('; followed in this thread.', `; follow it with \`/cordon status ${status.incidentId}\`.`));
      return;
    }
    await web.chat.postMessage({ channel: r.channel, thread_ts: r.threadTs, text: retryStartedText(started.workflowId, workflowId, user), blocks: retryStartedBlocks(started.workflowId, workflowId, user) });
    deps.follower.follow({ ...request, workflowId: started.workflowId, retryOf: workflowId }, r.channel, r.threadTs);
    if (r.report) {
      await web.chat
        .update({ channel: r.channel, ts: r.report.ts, text: r.report.text ?? `${status.incidentId}: not_contained`, blocks: retriedReportBlocks(r.report.blocks, started.workflowId, user) })
        .catch((err: unknown) => log.warn('final report not updated after the retry', { error: err }));
    }
  } catch (err) {
    if (err instanceof RetryRefusedError) {
      log.info('retry refused', { reason: err.message });
      await tellUser(web, log, to, `Nothing was started: ${err.message}.`);
      return;
    }
    log.error('retry not started', { error: err });
    await tellUser(web, log, to, `Nothing was started: Cordon could not reach its workflow engine; try again, or run \`cordon retry ${workflowId}\`.`);
  } finally {
    inFlight.delete(workflowId);
  }
}

/** The newest `<id>-retry-<n>` of a run, if any (the numbering retryContainment uses). */
async function latestRetry(deps: SlackDeps, workflowId: string): Promise<ContainmentStatus | undefined> {
  let latest: ContainmentStatus | undefined;
  for (let n = 1; n <= 100; n++) {
    const id = `${workflowId}-retry-${n}`;
    try {
      await deps.temporal.workflow.getHandle(id).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return latest;
      throw err;
    }
    latest = await getStatus(deps.temporal, id);
  }
  return latest;
}
