// GET /v1/verdicts: the drift watch's open verdicts from its store, highest score first, each with the
// containment it opened; 404 in the error shape where the API does not hold the store; the read scope.
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.ts';
import { ErrorBody, VerdictList } from '../schemas/api.ts';
import type { TokenUseEventInput } from '../schemas/token-use.ts';
import { openBaselineStore, openVerdictsWithContainments } from '../watch/baseline-store.ts';
import { openWatch } from '../watch/engine.ts';
import { openIpIntel } from '../watch/ip-intel.ts';
import { buildApp } from './app.ts';
import { ApiKeyring, mintApiKey } from './keys.ts';

const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), namespace: 'cordon' });
const reader = mintApiKey({ name: 'auditor', principal: 'auditor', scopes: ['read'] });
const starter = mintApiKey({ name: 'soar', principal: 'soar-bot', scopes: ['start'] });
const keys = new ApiKeyring([reader.entry, starter.entry]);
const quiet = createLogger({ write: () => undefined });
const store = openBaselineStore(':memory:');
afterAll(() => store.close());

/** A token revoked by Cordon and then used again: the unambiguous trigger, with no learning period. */
function verdictInStore(): string {
  const watch = openWatch({ store, ipIntel: openIpIntel() });
  const at = Date.now() - 60 * 60_000;
  watch.recordRevocations([{ tokenKey: 'ana@acme.example:client-1', at: new Date(at).toISOString() }]);
  const use: TokenUseEventInput = { id: 'google:token:1', provider: 'google', at: new Date(at + 10 * 60_000).toISOString(), action: 'use', tokenKey: 'ana@acme.example:client-1', principal: 'ana@acme.example', app: 'client-1', ip: '134.209.0.77' };
  const { verdicts } = watch.ingest([use]);
  expect(verdicts).toHaveLength(1);
  store.linkContainment(verdicts[0]!.id, verdicts[0]!.tokenKey, `cordon-contain-drift-${verdicts[0]!.id}`);
  return verdicts[0]!.id;
}

describe('GET /v1/verdicts', () => {
  it('lists the open verdicts with their reasons and containment, to a key with the read scope', async () => {
    const id = verdictInStore();
    const app = buildApp({ client, taskQueue: 'unused', keys, logger: quiet, verdicts: () => openVerdictsWithContainments(store) });
    const ok = await app.inject({ method: 'GET', url: '/v1/verdicts', headers: { authorization: `Bearer ${reader.key}` } });
    expect(ok.statusCode).toBe(200);
    const body = VerdictList.parse(ok.json());
    expect(body.verdicts.map((v) => v.id)).toEqual([id]);
    expect(body.verdicts[0]!.triggers).toContain('use_after_revocation');
    expect(body.verdicts[0]!.containment).toBe(`cordon-contain-drift-${id}`);
    const none = await app.inject({ method: 'GET', url: '/v1/verdicts?provider=github', headers: { authorization: `Bearer ${reader.key}` } });
    expect(VerdictList.parse(none.json()).verdicts).toEqual([]);
    const bad = await app.inject({ method: 'GET', url: '/v1/verdicts?min_score=500', headers: { authorization: `Bearer ${reader.key}` } });
    expect(bad.statusCode).toBe(400);
    expect(ErrorBody.parse(bad.json()).error.issues?.[0]?.path).toMatch(/min_score/);
    const forbidden = await app.inject({ method: 'GET', url: '/v1/verdicts', headers: { authorization: `Bearer ${starter.key}` } });
    expect(forbidden.statusCode).toBe(403);
    await app.close();
  });

  it('answers 404 in the error shape, saying what to set, where the store is not', async () => {
    const app = buildApp({ client, taskQueue: 'unused', keys, logger: quiet });
    const r = await app.inject({ method: 'GET', url: '/v1/verdicts', headers: { authorization: `Bearer ${reader.key}` } });
    expect(r.statusCode).toBe(404);
    expect(ErrorBody.parse(r.json()).error.message).toMatch(/CORDON_WATCH_DB/);
    await app.close();
  });
});
