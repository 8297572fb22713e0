// What the app answers before any route reaches Temporal: routing of long containment ids, the
// router's and node's own refusals in the error shape, 405 with Allow, and the UTF-8-only body rule.
// A real client on a lazy connection: none of these requests reaches Temporal.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containmentWorkflowId, requestFingerprint } from '../client/containments.ts';
import { createLogger } from '../logging/logger.ts';
import { ErrorBody, StartContainmentBody } from '../schemas/api.ts';
import { buildApp } from './app.ts';
import { ApiKeyring, mintApiKey } from './keys.ts';

const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), namespace: 'cordon' });
// Only `start`: the read and approve routes answer 403 after routing and authentication, never calling Temporal.
const starter = mintApiKey({ name: 'soar', principal: 'soar-bot', scopes: ['start'] });
const reader = mintApiKey({ name: 'auditor', principal: 'auditor', scopes: ['read'] });
const app = buildApp({ client, taskQueue: 'unused', keys: new ApiKeyring([starter.entry, reader.entry]), logger: createLogger({ write: () => undefined }) });
const auth = { authorization: `Bearer ${starter.key}` };
let port: number;

beforeAll(async () => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await app.close();
});

/** The error shape, exactly (no fastify `statusCode`/`error` fields). */
const errorOf = (body: string) => ErrorBody.strict().parse(JSON.parse(body)).error;

/** One raw HTTP/1.1 exchange, for what fetch and inject() cannot send (a method node does not know). */
function raw(request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('utf8')));
    socket.on('error', () => undefined); // the server destroys the socket after answering
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
      if (!status) return reject(new Error(`no HTTP answer: ${JSON.stringify(data)}`));
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status, headers, body });
    });
  });
}

describe('long containment ids', () => {
  // The longest valid incident id (128) gives a 160-character workflow id; fastify's default limit is 100.
  const longId = containmentWorkflowId({ incidentId: `INC-${'x'.repeat(124)}`, credentials: [{ provider: 'memory', kind: 'oauth_token', id: 'tok-1' }] });

  it('routes every path that takes the id of a containment for a 128-character incident id', async () => {
    expect(longId.length).toBe(160);
    for (const [method, url] of [
      ['GET', `/v1/containments/${longId}`],
      ['GET', `/v1/containments/${longId}/evidence`],
      ['POST', `/v1/containments/${longId}/cancel`],
      ['POST', `/v1/containments/${longId}/approvals`],
      // `:` may arrive percent-encoded (encodeURIComponent in statusUrl): three characters each.
      ['GET', `/v1/containments/${encodeURIComponent(`cordon-contain-${':'.repeat(128)}-0123456789abcdef`)}`],
    ] as const) {
      const res = await app.inject({ method, url, headers: auth });
      expect(res.statusCode, url).toBe(403); // routed and authenticated: only the scope is missing
      expect(errorOf(res.body).code, url).toBe('forbidden');
    }
    // Over the id's length but within the router's: validation names the field.
    const tooLong = await app.inject({ method: 'GET', url: `/v1/containments/cordon-contain-${'a'.repeat(300)}`, headers: { authorization: `Bearer ${reader.key}` } });
    expect(tooLong.statusCode).toBe(400);
    expect(errorOf(tooLong.body).issues?.map((i) => i.path)).toEqual(['params.id']);
  });

  it('refuses a far longer path parameter in the error shape, with a request id', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/containments/cordon-contain-${'a'.repeat(2000)}`, { headers: auth });
    expect(res.status).toBe(414);
    expect(errorOf(await res.text())).toEqual({ code: 'uri_too_long', message: expect.stringMatching(/longer than any containment id/) });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bad = await app.inject({ method: 'GET', url: '/v1/containments/%E0%A4%A', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad.body).code).toBe('bad_request');
  });
});

describe('methods', () => {
  it('answers a known method a path does not take with 405 and Allow, in the error shape', async () => {
    for (const [method, url, allow] of [
      ['DELETE', '/v1/containments/cordon-contain-INC-1-0123456789abcdef', 'GET'],
      ['PUT', '/v1/containments', 'GET, POST'],
      ['PATCH', '/v1/containments/', 'GET, POST'],
      ['GET', '/v1/containments/cordon-contain-INC-1-0123456789abcdef/cancel', 'POST'],
      ['OPTIONS', '/openapi.json', 'GET'],
    ] as const) {
      const res = await app.inject({ method, url, headers: auth });
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.headers.allow, `${method} ${url}`).toBe(allow);
      expect(errorOf(res.body)).toEqual({ code: 'method_not_allowed', message: expect.stringContaining(`it takes ${allow}`) });
    }
    const unknown = await app.inject({ method: 'DELETE', url: '/v2/nothing', headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown.body).code).toBe('no_route');
  });

  it('answers a method node’s parser does not know with 405 and Allow on a known path, 404 elsewhere', async () => {
    const known = await raw('BREW /v1/containments?incident=x HTTP/1.1\r\nHost: cordon\r\nContent-Length: 0\r\n\r\n');
    expect(known.status).toBe(405);
    expect(known.headers.allow).toBe('GET, POST');
    expect(known.headers['cache-control']).toBe('no-store');
    expect(errorOf(known.body)).toEqual({ code: 'method_not_allowed', message: expect.stringContaining('/v1/containments does not take BREW') });
    const elsewhere = await raw('BREW /coffee HTTP/1.1\r\nHost: cordon\r\n\r\n');
    expect(elsewhere.status).toBe(404);
    expect(errorOf(elsewhere.body).code).toBe('no_route');
    const garbage = await raw('\x01\x02 not http\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(errorOf(garbage.body).code).toBe('bad_request');
  });
});

describe('body charset', () => {
  it('refuses a JSON body declared in any charset but UTF-8 with 415 in the error shape', async () => {
    for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"utf-32"', '']) {
      const res = await app.inject({ method: 'POST', url: '/v1/containments', headers: { ...auth, 'content-type': `application/json; charset=${charset}` }, payload: '{}' });
      expect(res.statusCode, charset).toBe(415);
      expect(errorOf(res.body), charset).toEqual({ code: 'unsupported_media_type', message: expect.stringMatching(/UTF-8/) });
    }
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      const res = await app.inject({ method: 'POST', url: '/v1/containments', headers: { ...auth, 'content-type': contentType }, payload: '{}' });
      expect(res.statusCode, contentType).toBe(400); // read, then refused by validation
      expect(errorOf(res.body).code, contentType).toBe('invalid_input');
    }
  });
});

describe('what an Idempotency-Key stands for', () => {
  const body = (b: unknown) => StartContainmentBody.parse(b);
  const ref = { provider: 'memory', kind: 'oauth_token', leakedValue: 'leaked-value-0001' } as const;

  it('is the parsed request: defaults and key order do not change it, the incident and every credential do', () => {
    const base = requestFingerprint(body({ incidentId: 'INC-1', credentials: [ref] }));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint(body({ credentials: [ref], severity: 'high', incidentId: 'INC-1' }))).toBe(base);
    expect(requestFingerprint(body({ incidentId: 'INC-2', credentials: [ref] }))).not.toBe(base);
    expect(requestFingerprint(body({ incidentId: 'INC-1', credentials: [{ ...ref, leakedValue: 'leaked-value-0002' }] }))).not.toBe(base);
    expect(requestFingerprint(body({ incidentId: 'INC-1', credentials: [ref, { provider: 'memory', kind: 'oauth_token', id: 'tok-2' }] }))).not.toBe(base);
  });

  it('names the workflow by the key alone, so a reuse with another incident meets the first run', () => {
    const input = (incidentId: string) => ({ incidentId, credentials: [ref] });
    expect(containmentWorkflowId(input('INC-1'), 'soar-bot:k-12345678')).toBe(containmentWorkflowId(input('INC-2'), 'soar-bot:k-12345678'));
    expect(containmentWorkflowId(input('INC-1'), 'soar-bot:k-12345678')).not.toBe(containmentWorkflowId(input('INC-1'), 'bob:k-12345678'));
    expect(containmentWorkflowId(input('INC-1'), 'soar-bot:k-12345678')).toMatch(/^cordon-contain-key-[0-9a-f]{32}$/);
  });
});

describe('evidence export format', () => {
  it('refuses a format other than json or ocsf before reaching Temporal, naming query.format', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/containments/cordon-contain-INC-1-abc/evidence?format=xml', headers: { authorization: `Bearer ${reader.key}` } });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(errorOf(res.body))).toContain('query.format');
  });
});
