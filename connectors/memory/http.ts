// The reference tenant over loopback HTTP, so a worker in another process (the crash test, the dev
// stack) sees the same tenant as the test or the demo that seeded it. One route: POST /rpc.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MemoryTenant, MemoryTenantPort } from './tenant.ts';

const METHODS = [
  'find', 'principal', 'listActive', 'revoke', 'findIssued', 'issue', 'signOut', 'restrict',
  'authenticate', 'revokeAllForClient', 'blockApp', 'suspendPrincipal', 'audit',
] as const satisfies readonly (keyof MemoryTenantPort)[];

export async function serveMemoryTenant(tenant: MemoryTenant, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const { method, args } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { method: string; args: unknown[] };
          if (req.url !== '/rpc' || !(METHODS as readonly string[]).includes(method)) {
            res.writeHead(404, { 'content-type': 'application/json' });
            return res.end(JSON.stringify({ error: `no method ${method}` }));
          }
          const fn = tenant[method as (typeof METHODS)[number]] as (...a: unknown[]) => Promise<unknown>;
          const result = await fn.apply(tenant, args);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ result: result ?? null }));
        } catch (err) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A MemoryTenantPort that calls a tenant served by serveMemoryTenant. */
export function remoteMemoryTenant(url: string): MemoryTenantPort {
  const call = async (method: string, args: unknown[]) => {
    const res = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method, args }) });
    const body = (await res.json()) as { result?: unknown; error?: string };
    if (!res.ok) throw new Error(`memory tenant ${method}: ${body.error ?? res.status}`);
    return body.result === null ? undefined : body.result;
  };
  return Object.fromEntries(METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as MemoryTenantPort;
}
