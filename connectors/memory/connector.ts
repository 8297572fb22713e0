// The reference connector: the Connector contract on the in-memory tenant, with every capability,
// so the workflow's semantics can be tested without a provider. Same behaviour as a real one:
// already revoked is success, replacements keyed by idempotency key, probe dead only on auth error.
import type { Consumer, Credential, CredentialRef, Principal, ScopeReport } from '../../schemas/credential.ts';
import { describeRef } from '../../schemas/credential.ts';
import { Secret } from '../../logging/secret.ts';
import { fingerprintOf } from '../fingerprint.ts';
import type { CredentialSink } from '../sinks/types.ts';
import {
  ConnectorError,
  unsupported,
  type AuditEvent,
  type Capability,
  type Connector,
  type ProbeResult,
  type ReauthScope,
  type ReplacementIssued,
  type Restriction,
  type RestrictionUndo,
  type WriteResult,
  type ReplaceOptions,
} from '../types.ts';
import type { InventoryPrincipal, InventoryResult } from '../inventory.ts';
import { hashValue, type MemCredential, type MemPrincipal, type MemoryTenantPort } from './tenant.ts';
import { deliverOrEndOwn, orphansDeleted } from '../replacement-attempts.ts';

/** The reference tenant implements every capability but two. */
export const MEMORY_CANNOT: Partial<Record<Capability, string>> = {
  revokeByValue: 'the reference tenant has no by-value revocation endpoint (like GitHub’s POST /credentials/revoke); revoke ends its credentials by id',
  tokenUse: 'the reference tenant keeps no audit log of token use for the drift watch to read',
  lastUse: 'the reference tenant keeps no record of when a credential last authenticated',
};

export class MemoryConnector implements Connector {
  readonly provider = 'memory' as const;
  readonly cannot = MEMORY_CANNOT;
  readonly blindSpots: readonly string[] = [];

  constructor(private readonly tenant: MemoryTenantPort) {}

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      // The tenant is reached over loopback HTTP in multi-process set-ups: a transport failure is retryable.
      throw new ConnectorError('unavailable', 'memory', `memory: ${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async #principal(id: string): Promise<Principal> {
    const p = await this.#call('principal lookup', () => this.tenant.principal(id));
    if (!p) throw new ConnectorError('not_found', 'memory', `memory: principal ${id} not found`);
    return toPrincipal(p);
  }

  async #toCredential(c: MemCredential): Promise<Credential> {
    return {
      provider: 'memory',
      kind: c.kind,
      id: c.id,
      label: c.label,
      principal: await this.#principal(c.principalId),
      scopes: c.scopes,
      ...(c.clientId ? { clientId: c.clientId } : {}),
      createdAt: c.createdAt,
      ...(c.lastUsedAt ? { lastUsedAt: c.lastUsedAt } : {}),
      consumers: c.consumers,
      ...(c.valueHash ? { fingerprint: c.valueHash.slice(0, 12) } : {}),
      selfOrLastAdmin: c.cordonOwn,
    };
  }

  async identify(ref: CredentialRef): Promise<ScopeReport> {
    const query = {
      ...(ref.id ? { id: ref.id } : {}),
      ...(ref.clientId ? { clientId: ref.clientId } : {}),
      ...(ref.user ? { user: ref.user } : {}),
      ...(ref.leakedValue ? { valueHash: hashValue(ref.leakedValue) } : {}),
    };
    let found = await this.#call('find', () => this.tenant.find(query));
    if (ref.fingerprint && !ref.leakedValue) found = found.filter((c) => c.valueHash?.startsWith(ref.fingerprint!));
    if (ref.keyId) found = found.filter((c) => c.id === ref.keyId);
    const live = found.filter((c) => c.status === 'active' && !c.issuedFor);
    const credentials = await Promise.all(live.map((c) => this.#toCredential(c)));
    const related = new Map<string, Principal>();
    for (const c of live) {
      const owner = await this.#call('principal lookup', () => this.tenant.principal(c.principalId));
      for (const id of owner?.related ?? []) related.set(id, await this.#principal(id));
    }
    const riskFlags = found.filter((c) => c.status !== 'active').map((c) => `${c.id} matches the ref but is already revoked`);
    for (const c of credentials) if (c.consumers.length > 1) riskFlags.push(`${c.id} is shared by ${c.consumers.length} consumers`);
    return { provider: 'memory', ref: describeRef(ref), credentials, relatedServiceAccounts: [...related.values()], riskFlags, blindSpots: [] };
  }

  /** Hygiene sweeps (issue 7): every live credential of the tenant, replacements included. */
  async inventory(): Promise<InventoryResult> {
    const all = await this.#call('find', () => this.tenant.find({}));
    const credentials = await Promise.all(all.filter((c) => c.status === 'active').map((c) => this.#toCredential(c)));
    const principals = new Map<string, InventoryPrincipal>();
    for (const c of credentials) principals.set(c.principal.id, c.principal);
    return {
      provider: 'memory',
      takenAt: new Date().toISOString(),
      credentials,
      principals: [...principals.values()],
      // The reference tenant ends a suspended principal's credentials with it, so they never show as live.
      blindSpots: ['principals without a live credential are not listed'],
    };
  }

  async listActive(principal: Principal): Promise<Credential[]> {
    const active = await this.#call('listActive', () => this.tenant.listActive(principal.id));
    return Promise.all(active.map((c) => this.#toCredential(c)));
  }

  async revoke(credential: Credential): Promise<WriteResult> {
    const r = await this.#call('revoke', () => this.tenant.revoke(credential.id));
    if (r.outcome === 'not_found') {
      throw new ConnectorError('not_found', 'memory', `memory: credential ${credential.id} not found; was it deleted outside Cordon?`, { requestId: r.requestId });
    }
    return { outcome: r.outcome, requestId: r.requestId };
  }

  async replace(credential: Credential, consumer: Consumer, idempotencyKey: string, sink: CredentialSink, options: ReplaceOptions = {}): Promise<ReplacementIssued> {
    const delivered = await sink.lookup(idempotencyKey);
    if (delivered) {
      // An earlier attempt's delivery was kept, and that attempt may have died before revoking the other mints under
      // the key (connectors/replacement-attempts.ts, step 0): they go now. None can exist on the run's first claim.
      const ended = options.firstClaim ? [] : await this.#endOtherMints(idempotencyKey, delivered.replacementId);
      return { replacementId: delivered.replacementId, fingerprint: delivered.fingerprint, sink: delivered.location, ...(ended.length ? { note: orphansDeleted(ended) } : {}) };
    }
    let issued = await this.#call('issue', () => this.tenant.issue({ replacesId: credential.id, consumerId: consumer.id, idempotencyKey }));
    // Minted under this key by an earlier attempt, whose value this one cannot know: one more is minted under a
    // derived key, and the earlier one is revoked once this delivery is the one kept (connectors/replacement-attempts.ts).
    const earlier: string[] = [];
    while (issued.value === undefined) {
      const minted = issued.credential.id;
      earlier.push(minted);
      issued = await this.#call('issue', () => this.tenant.issue({ replacesId: credential.id, consumerId: consumer.id, idempotencyKey: `${idempotencyKey}#orphan-${minted}` }));
    }
    const value = issued.value;
    const mine = issued.credential.id;
    const { kept: out, lost } = await deliverOrEndOwn(sink, { idempotencyKey, replacementId: mine, consumer, target: consumer.sink, value: new Secret(value) }, () =>
      this.#call('revoke the losing mint', () => this.tenant.revoke(mine)),
    );
    if (lost) return lost;
    for (const id of earlier) await this.#call('revoke orphan', () => this.tenant.revoke(id));
    return { replacementId: out.replacementId, fingerprint: fingerprintOf(value), sink: out.location, ...(earlier.length ? { note: orphansDeleted(earlier) } : {}) };
  }

  /**
   * Revokes the live mints under `idempotencyKey` and the keys derived from it (an attempt that found the key's mint
   * without its value minted under `<key>#orphan-<that mint>`), all but `kept`: the ones it revoked.
   */
  async #endOtherMints(idempotencyKey: string, kept: string): Promise<string[]> {
    const ended: string[] = [];
    const seen = new Set<string>();
    for (let m = await this.#call('find the mints of a replacement', () => this.tenant.findIssued(idempotencyKey)); m && !seen.has(m.id); ) {
      seen.add(m.id);
      if (m.id !== kept && m.status === 'active') {
        await this.#call('revoke orphan', () => this.tenant.revoke(m!.id));
        ended.push(m.id);
      }
      const next = `${idempotencyKey}#orphan-${m.id}`;
      m = await this.#call('find the mints of a replacement', () => this.tenant.findIssued(next));
    }
    return ended;
  }

  /** Every live credential of the principal except Cordon's own (I6), and the sign-out that ends them. */
  async reauthScope(principal: Principal): Promise<ReauthScope> {
    const credentials = (await this.listActive(principal)).filter((c) => !c.selfOrLastAdmin);
    return { credentials, effects: credentials.length ? [`signs ${principal.displayName} out: the listed sessions and tokens end and must be re-established`] : [] };
  }

  /** Signs the principal out of exactly the credentials in `end` (I8); one already gone counts as ended. */
  async forceReauth(principal: Principal, end: readonly Credential[]): Promise<WriteResult> {
    for (const c of end) {
      if (c.selfOrLastAdmin) throw new ConnectorError('conflict', 'memory', `memory: ${c.id} is Cordon's own connector credential; it is never ended (I6)`);
      if (c.principal.id !== principal.id) throw new ConnectorError('invalid', 'memory', `memory: ${c.id} belongs to ${c.principal.id}, not to ${principal.id}`);
    }
    if (!end.length) return { outcome: 'already_done', detail: `nothing to end for ${principal.id}: the plan lists no credential` };
    const r = await this.#call('signOut', () => this.tenant.signOut(principal.id, end.map((c) => c.id)));
    return { outcome: r.revoked.length ? 'done' : 'already_done', requestId: r.requestId, detail: `${r.revoked.length} of the ${end.length} listed sessions/tokens ended; nothing else touched` };
  }

  /** The reference tenant keeps an allowlist per credential; an empty one means unrestricted. */
  async restrict(credential: Credential, restriction: Restriction): Promise<WriteResult> {
    const r = await this.#call('restrict', () => this.tenant.restrict(credential.id, restriction.values));
    const scope = restriction.values.length ? `usable only from ${restriction.values.join(', ')}` : 'unchanged (no allowlist given)';
    return {
      ...r,
      detail: `${credential.id} ${scope}`,
      ...(restriction.values.length ? { undo: { kind: 'memory.allowlist', description: `lift the allowlist of ${credential.id}`, data: { id: credential.id } } } : {}),
    };
  }

  async unrestrict(credential: Credential, _undo: RestrictionUndo): Promise<WriteResult> {
    return this.#call('unrestrict', () => this.tenant.restrict(credential.id, []));
  }

  async probe(_credential: Credential, leakedValue: string): Promise<ProbeResult> {
    const r = await this.#call('authenticate', () => this.tenant.authenticate(leakedValue));
    return r === 'ok' ? 'alive' : 'dead';
  }

  async audit(principal: Principal, sinceIso: string): Promise<AuditEvent[]> {
    const calls = await this.#call('audit', () => this.tenant.audit(principal.id, sinceIso));
    return calls.map((c) => ({ at: c.at, actor: 'cordon', action: c.op, ...(c.credentialId ? { credentialId: c.credentialId } : {}), detail: c.outcome }));
  }

  async revokeAllForClient(credential: Credential): Promise<WriteResult> {
    if (!credential.clientId) throw unsupported('memory', 'revokeAllForClient', `${credential.id} has no client id`);
    const r = await this.#call('revokeAllForClient', () => this.tenant.revokeAllForClient(credential.clientId!));
    return { outcome: r.revoked.length ? 'done' : 'already_done', requestId: r.requestId, detail: `${r.revoked.length} revoked` };
  }

  async blockApp(credential: Credential): Promise<WriteResult> {
    if (!credential.clientId) throw unsupported('memory', 'blockApp', `${credential.id} has no client id`);
    const r = await this.#call('blockApp', () => this.tenant.blockApp(credential.clientId!));
    return { outcome: r.revoked.length ? 'done' : 'already_done', requestId: r.requestId, detail: `${r.revoked.length} revoked` };
  }

  async suspendPrincipal(principal: Principal): Promise<WriteResult> {
    return this.#call('suspendPrincipal', () => this.tenant.suspendPrincipal(principal.id));
  }
}

function toPrincipal(p: MemPrincipal): Principal {
  return { id: p.id, displayName: p.displayName, type: p.type, status: p.status };
}
