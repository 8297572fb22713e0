// The worker's notifier: webhooks first, then Slack. Each skips notifications not meant for it
// (no webhookUrl / not started from Slack). A failure throws so the activity retries with backoff;
// webhooks go first because a retried webhook carries the same delivery id (receivers dedupe),
// while a Slack post repeated by a retry would show twice.
import type { Notification, Notifier } from './notifier.ts';

export function combineNotifiers(parts: { webhook?: Notifier | undefined; slack?: Notifier | undefined }): Notifier | undefined {
  const ordered = [parts.webhook, parts.slack].filter((n): n is Notifier => Boolean(n));
  if (!ordered.length) return undefined;
  return {
    notify: async (n: Notification) => {
      for (const notifier of ordered) await notifier.notify(n);
    },
  };
}
