// POST /v1/containments: start a containment, idempotently. The Idempotency-Key header, or else the
// incident and credential refs, decide the workflow id, so a retried call returns the same
// containment instead of starting another (I4, client/containments.ts startContainment).
import { requestFingerprint, startContainment } from '../../client/containments.ts';
import type { ContainmentRequest } from '../../schemas/containment.ts';
import { StartContainmentBody, StartContainmentHeaders, StartedContainment } from '../../schemas/api.ts';
import { invalidInput } from '../errors.ts';
import { containmentLinks } from '../../schemas/api.ts';
import { defineRoute } from '../route.ts';
import { webhookHostAllowed } from '../../notifiers/webhook.ts';

export const startContainmentRoute = defineRoute({
  method: 'POST',
  url: '/v1/containments',
  operationId: 'startContainment',
  summary: 'Start a containment (idempotent)',
  description:
    'Starts the containment runbook for the given credential refs. The requester is the API key’s principal. ' +
    'A repeated call with the same Idempotency-Key (scoped to the API key’s principal), or without one for the same incident and credential refs, ' +
    'returns the existing containment with 200 and `created: false` instead of starting another. ' +
    'An Idempotency-Key names one request: reused with a different body (another incident or other credentials) it is refused with 422 `idempotency_key_reused` and nothing is started; use a new key. ' +
    'Leaked values are fingerprinted on arrival and travel encrypted.',
  scope: 'start',
  body: StartContainmentBody,
  headers: StartContainmentHeaders,
  responses: {
    201: { description: 'Started; `statusUrl` is where to follow it.', schema: StartedContainment },
    200: { description: 'Already started by an earlier call with the same key or incident and refs: that containment.', schema: StartedContainment },
  },
  async handle({ body, headers, caller, deps }) {
    if (body.webhookUrl && !webhookHostAllowed(body.webhookUrl, deps.webhookAllowedHosts)) {
      throw invalidInput([{ path: 'body.webhookUrl', message: `webhooks may go only to ${deps.webhookAllowedHosts!.join(', ')} (CORDON_WEBHOOK_ALLOWED_HOSTS)` }]);
    }
    const request: ContainmentRequest = {
      ...body,
      policy: { ...body.policy, approval: deps.approvalPolicy ?? {} },
      requester: caller!.principal,
      origin: { channel: 'api' },
    };
    // The key is namespaced by principal: two callers choosing the same key never share a containment.
    const idempotencyKey = headers['idempotency-key'] ? `${caller!.principal}:${headers['idempotency-key']}` : undefined;
    // What the key stands for is the caller's parsed body (never the server's policy, which may change between retries).
    const started = await startContainment(deps.client, deps.taskQueue, request, idempotencyKey ? { idempotencyKey, requestFingerprint: requestFingerprint(body) } : {});
    const links = containmentLinks(started.workflowId);
    deps.logger.info('containment start', { workflowId: started.workflowId, created: started.created, principal: caller!.principal, key: caller!.name });
    return {
      status: started.created ? 201 : 200,
      headers: { location: links.self },
      body: { workflowId: started.workflowId, runId: started.runId, created: started.created, statusUrl: links.self, links } satisfies StartedContainment,
    };
  },
});
