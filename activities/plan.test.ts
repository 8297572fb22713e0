import { expect, it } from 'vitest';
import type { Credential, ScopeReport } from '../schemas/credential.ts';
import { buildPlan } from './plan.ts';

const cred = (id: string, consumers: string[], extra: Partial<Credential> = {}): Credential => ({
  provider: 'memory', kind: 'oauth_token', id, label: id, scopes: [], selfOrLastAdmin: false,
  principal: { id: 'p', displayName: 'p', type: 'integration_user', status: 'active' },
  consumers: consumers.map((c) => ({ id: c, name: c, kind: 'integration' })), ...extra,
});
const report = (...credentials: Credential[]): ScopeReport => ({ provider: 'memory', ref: 'r', credentials, relatedServiceAccounts: [], riskFlags: [], blindSpots: [] });

it('orders revoke before replace in direct mode and stages shared credentials in waves', () => {
  const direct = buildPlan({ mode: 'direct', waveSize: 1, reports: [report(cred('a', ['x', 'y']))] });
  const ladder = ['fallback', 'fallback', 'fallback'];
  expect(direct.actions.map((a) => a.step)).toEqual(['revoke', 'replace', 'reauth', 'verify', ...ladder]);
  expect(direct.actions.filter((a) => a.step === 'fallback').map((a) => a.rung)).toEqual(['revokeAllForClient', 'blockApp', 'suspendPrincipal']);
  const staged = buildPlan({ mode: 'staged', waveSize: 2, reports: [report(cred('a', ['x', 'y', 'z']))] });
  expect(staged.actions.map((a) => `${a.step}:${a.wave}`)).toEqual(['restrict:0', 'replace:1', 'replace:2', 'revoke:3', 'reauth:0', 'verify:0', 'fallback:0', 'fallback:0', 'fallback:0']);
  expect(staged.waves).toBe(2);
});

it('binds the digest to credentials, actions and mode, not to report order', () => {
  const a = buildPlan({ mode: 'direct', waveSize: 1, reports: [report(cred('a', []), cred('b', ['x']))] });
  const b = buildPlan({ mode: 'direct', waveSize: 1, reports: [report(cred('b', ['x'])), report(cred('a', []))] });
  expect(a.digest).toBe(b.digest);
  expect(buildPlan({ mode: 'staged', waveSize: 1, reports: [report(cred('a', []), cred('b', ['x']))] }).digest).not.toBe(a.digest);
  expect(buildPlan({ mode: 'direct', waveSize: 1, reports: [report(cred('a', []), cred('b', ['x', 'y']))] }).digest).not.toBe(a.digest);
});

it('refuses Cordon’s own credential (I6)', () => {
  expect(() => buildPlan({ mode: 'direct', waveSize: 1, reports: [report(cred('own', [], { selfOrLastAdmin: true }))] })).toThrow(/lock responders out/);
});

it('lists what re-authentication ends in the plan, with replacements for its consumers, and binds the digest to it (I8)', () => {
  const principal = { id: 'p', displayName: 'p', type: 'service_account' as const, status: 'active' as const };
  const target = (ends: Credential[]) => ({ provider: 'memory' as const, principal, ends, effects: ['signs out'], leftAlone: [{ credentialId: 'memory:r1', reason: 'issued by another run' }] });
  const base = { mode: 'direct' as const, waveSize: 1, reports: [report(cred('a', ['x']))] };
  const plan = buildPlan({ ...base, reauth: [target([cred('a', ['x']), cred('k2', ['y', 'z']), cred('k3', []), cred('own', [], { selfOrLastAdmin: true })])] });
  // The compromised credential itself and Cordon's own are not collateral.
  expect(plan.reauth[0]!.ends.map((c) => c.id)).toEqual(['k2', 'k3']);
  expect(plan.actions.filter((a) => a.credentialId === 'memory:k2').map((a) => `${a.step}:${a.consumerIds.join(',')}`)).toEqual(['reauth:', 'replace:y,z']);
  expect(plan.actions.filter((a) => a.credentialId === 'memory:k3').map((a) => a.step)).toEqual(['reauth']);
  const fewer = buildPlan({ ...base, reauth: [target([cred('k2', ['y', 'z'])])] });
  const none = buildPlan(base);
  expect(new Set([plan.digest, fewer.digest, none.digest]).size).toBe(3);
});
