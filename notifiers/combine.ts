// The worker's notifier: the evidence delivery starter first (idempotent: it starts a workflow with a
// derived id, so a retry joins it), then webhooks, then Slack. Each skips notifications not meant for it
// (no webhookUrl / not started from Slack). A failure throws so the activity retries with backoff;
// webhooks go first because a retried webhook carries the same delivery id (receivers dedupe),
// while a Slack post repeated by a retry would show twice.
import type { Notification, Notifier } from './notifier.ts';

export function combineNotifiers(parts: { evidence?: Notifier | undefined; webhook?: Notifier | undefined; slack?: Notifier | undefined }): Notifier | undefined {
  const ordered = [parts.evidence, parts.webhook, parts.slack].filter((n): n is Notifier => Boolean(n));
  if (!ordered.length) return undefined;
  return {
    notify: async (n: Notification) => {
      for (const notifier of ordered) await notifier.notify(n);
    },
  };
}
