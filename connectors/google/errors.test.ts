// Classification of shapes the emulator cannot produce through a fault (IAM's 429
// RESOURCE_EXHAUSTED, network failures), on hand-built GaxiosError-like values.
import { describe, expect, it } from 'vitest';
import { classifyGoogleError, DEFAULT_RATE_LIMIT_DELAY_MS, goneShape } from './errors.ts';

const http = (status: number, data: unknown, headers: Record<string, string> = {}) => ({ status, response: { status, data, headers } });

describe('classifyGoogleError', () => {
  it('IAM 429 RESOURCE_EXHAUSTED: rate_limited with RetryInfo, Retry-After, or the per-minute default', () => {
    const withInfo = classifyGoogleError(http(429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }] } }), 'keys.list');
    expect(withInfo).toMatchObject({ kind: 'rate_limited', options: { retryAfterMs: 1500, status: 429 } });
    expect(classifyGoogleError(http(429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED' } }, { 'retry-after': '12' }), 'x').options.retryAfterMs).toBe(12_000);
    expect(classifyGoogleError(http(403, { error: { code: 403, errors: [{ reason: 'quotaExceeded' }] } }), 'x').options.retryAfterMs).toBe(DEFAULT_RATE_LIMIT_DELAY_MS);
  });

  it('a plain 403 is permission, FAILED_PRECONDITION is conflict, token-endpoint invalid_grant is auth', () => {
    expect(classifyGoogleError(http(403, { error: { code: 403, errors: [{ reason: 'forbidden' }] } }), 'x').kind).toBe('permission');
    expect(classifyGoogleError(http(400, { error: { code: 400, status: 'FAILED_PRECONDITION', message: 'Precondition check failed.' } }), 'x').kind).toBe('conflict');
    const grant = classifyGoogleError(http(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }), 'token');
    expect(grant.kind).toBe('auth');
    expect(grant.message).toContain('Invalid JWT Signature.');
    expect(classifyGoogleError(http(400, { error: { code: 400, errors: [{ reason: 'invalid' }] } }), 'x').kind).toBe('invalid');
  });

  it('network failures: refused is unavailable, aborted is timeout, both retryable', () => {
    const refused = classifyGoogleError({ message: 'request to http://127.0.0.1:1/ failed', code: 'ECONNREFUSED' }, 'x');
    expect(refused).toMatchObject({ kind: 'unavailable', retryable: true });
    const aborted = classifyGoogleError({ name: 'Error', message: 'The operation was aborted.', cause: { name: 'AbortError' } }, 'x');
    expect(aborted).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('goneShape: every plausible "already gone" answer of a Directory delete, and nothing else', () => {
    const admin = (status: number, reason: string, message: string) => http(status, { error: { code: status, message, errors: [{ reason, message, domain: 'global' }] } });
    expect(goneShape(admin(404, 'notFound', 'Resource Not Found: codeId'))).toBe('gone');
    expect(goneShape(admin(410, 'deleted', 'Resource has been deleted'))).toBe('gone');
    expect(goneShape(admin(400, 'notFound', 'Resource Not Found: codeId'))).toBe('gone');
    expect(goneShape(admin(422, 'invalid', 'Application-specific password not found'))).toBe('gone');
    expect(goneShape(admin(400, 'invalid', 'Invalid Input: codeId'))).toBe('check');
    expect(goneShape(admin(400, 'badRequest', 'Bad Request'))).toBeUndefined();
    expect(goneShape(admin(403, 'forbidden', 'Not Authorized to access this resource/api'))).toBeUndefined();
    expect(goneShape(admin(401, 'authError', 'Invalid Credentials'))).toBeUndefined();
    expect(goneShape(admin(503, 'backendError', 'Backend Error'))).toBeUndefined();
  });
});
