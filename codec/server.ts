// The remote codec server: lets the Temporal CLI (`--codec-endpoint`) and web UI (`--ui-codec-endpoint`)
// encrypt inputs and read payloads for the people allowed to — everyone else sees ciphertext.
// Protocol: POST /encode and /decode with {"payloads":[{"metadata":{k:base64},"data":base64}]}.
// Loopback by default, a bearer token when CORDON_CODEC_SERVER_TOKEN is set, CORS for one UI origin.
import { createServer } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec, type CodecKeys } from './encryption-codec.ts';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

const sameSecret = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export async function startCodecServer(options: { keys: CodecKeys; port?: number; token?: string; corsOrigin?: string }): Promise<{ url: string; close(): Promise<void> }> {
  const codec = new EncryptionCodec(options.keys);
  const server = createServer((req, res) => {
    const cors: Record<string, string> = options.corsOrigin
      ? {
          'access-control-allow-origin': options.corsOrigin,
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': 'content-type, authorization, x-namespace',
          'access-control-allow-credentials': 'true',
        }
      : {};
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', ...cors });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') return send(204, {});
    const route = req.url?.split('?')[0];
    if (req.method !== 'POST' || (route !== '/encode' && route !== '/decode')) return send(404, { error: 'POST /encode or /decode' });
    if (options.token && !sameSecret(String(req.headers.authorization ?? ''), `Bearer ${options.token}`)) return send(401, { error: 'codec server: missing or wrong bearer token' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 8 * 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JsonPayload[] };
          const payloads = (body.payloads ?? []).map(fromJson);
          const out = route === '/encode' ? await codec.encode(payloads) : await codec.decode(payloads);
          send(200, { payloads: out.map(toJson) });
        } catch (err) {
          send(400, { error: `codec server: ${err instanceof Error ? err.message : 'bad request'}` });
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
