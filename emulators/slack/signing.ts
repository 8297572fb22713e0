// Slack request signing for interaction callbacks (Slack docs: verifying requests from Slack): what Slack sends to Cordon's app,
// so tests and drills can produce requests Bolt accepts. `v0=` + hex HMAC-SHA256 of
// `v0:<timestamp>:<raw body>` with the app's signing secret.
import { createHmac } from 'node:crypto';

export function slackSignatureHeaders(signingSecret: string, rawBody: string, timestampSec = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestampSec), 'x-slack-signature': `v0=${signature}` };
}
