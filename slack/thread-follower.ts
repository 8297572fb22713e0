// Keeps each containment's status message current: polls the workflow's `status` query and edits the
// thread's first message in place when what it shows changed (issue 5: no flood of step updates).
// Best effort and in memory; the worker's SlackNotifier also refreshes the message at every
// approval and at the end, so a restart of this process loses only the in-between steps.
import type { WebClient } from '@slack/web-api';
import type { Client } from '@temporalio/client';
import { getStatus } from '../client/containments.ts';
import type { Logger } from '../logging/logger.ts';
import { threadStatusBlocks, threadText, type ThreadRequest } from '../notifiers/slack/blocks/containment-thread.ts';

interface Followed {
  request: ThreadRequest;
  channel: string;
  ts: string;
  shown: string;
  failures: number;
  timer?: NodeJS.Timeout;
}

export class ThreadFollower {
  readonly #followed = new Map<string, Followed>();
  #stopped = false;

  constructor(
    private readonly deps: { temporal: Client; web: WebClient; logger: Logger; intervalMs: number; maxFailures?: number },
  ) {}

  follow(request: ThreadRequest, channel: string, ts: string): void {
    if (this.#stopped || this.#followed.has(request.workflowId)) return;
    const f: Followed = { request, channel, ts, shown: '', failures: 0 };
    this.#followed.set(request.workflowId, f);
    this.#schedule(f);
  }

  isFollowing(workflowId: string): boolean {
    return this.#followed.has(workflowId);
  }

  stop(): void {
    this.#stopped = true;
    for (const f of this.#followed.values()) clearTimeout(f.timer);
    this.#followed.clear();
  }

  #schedule(f: Followed): void {
    if (this.#stopped) return;
    f.timer = setTimeout(() => void this.#tick(f), this.deps.intervalMs);
    f.timer.unref();
  }

  async #tick(f: Followed): Promise<void> {
    try {
      const status = await getStatus(this.deps.temporal, f.request.workflowId);
      const blocks = threadStatusBlocks(f.request, status);
      const rendered = JSON.stringify(blocks);
      if (rendered !== f.shown) {
        await this.deps.web.chat.update({ channel: f.channel, ts: f.ts, text: threadText(f.request, status), blocks });
        f.shown = rendered;
      }
      f.failures = 0;
      if (status.outcome !== 'running') {
        this.#followed.delete(f.request.workflowId);
        return;
      }
    } catch (err) {
      f.failures++;
      this.deps.logger.warn('status message not updated', { workflowId: f.request.workflowId, failures: f.failures, error: err });
      if (f.failures >= (this.deps.maxFailures ?? 20)) {
        this.#followed.delete(f.request.workflowId);
        return;
      }
    }
    this.#schedule(f);
  }
}
