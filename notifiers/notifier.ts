// What the worker tells people while a containment runs: approval requests, escalations and the
// outcome. The `notify` activity (activities/index.ts) hands each Notification to the worker's
// Notifier; the implementations beside this file deliver it (webhook.ts, slack/, combine.ts).
// A notifier throws on failure so the activity retries it with backoff.

export interface Notification {
  kind: 'approval_needed' | 'escalation' | 'completed' | 'not_contained';
  workflowId: string;
  incidentId: string;
  summary: string;
  stage?: string;
  digest?: string;
  /** From the containment input: the webhook to call, and the Slack thread to post in. */
  webhookUrl?: string;
  origin?: { channel: string; slackChannel?: string; slackThreadTs?: string };
  /** Structured details for approval messages: what exactly will happen. */
  approval?: { description: string; credentialIds: string[]; consumerIds: string[]; wave: number; quorum: number };
  outcome?: string;
}

export interface Notifier {
  notify(n: Notification): Promise<void>;
}
