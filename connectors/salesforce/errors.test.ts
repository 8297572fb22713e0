import { expect, it } from 'vitest';
import { classifySalesforceError } from './errors.ts';

it('a raw 403 whose body names REQUEST_LIMIT_EXCEEDED is the API allowance (retryable), not a missing permission', () => {
  // What jsforce throws for the OAuth revoke endpoint, which it does not parse (found by the fault-storm suite).
  const raw = Object.assign(new Error('[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]'), { name: 'ERROR_HTTP_403' });
  const e = classifySalesforceError(raw, 'revoke oauthtoken:x', 1000);
  expect(e.kind).toBe('rate_limited');
  expect(e.retryable).toBe(true);
  expect(e.options.retryAfterMs).toBe(1000);
  // A 403 with another body is still a permission refusal.
  const denied = Object.assign(new Error('[{"message":"no","errorCode":"INSUFFICIENT_ACCESS"}]'), { name: 'ERROR_HTTP_403' });
  expect(classifySalesforceError(denied, 'revoke', 1000).kind).toBe('permission');
  expect(classifySalesforceError(Object.assign(new Error('forbidden'), { name: 'ERROR_HTTP_403' }), 'revoke', 1000).kind).toBe('permission');
});
