// The reference tenant: an in-memory provider with the semantics Cordon expects of a real one —
// revoked credentials stop authenticating, listings stop showing them, "already revoked" is an
// answer rather than an error, replacements are keyed so a retry never mints twice (I4). It keeps
// an ordered call log so tests can check revoke-before-replace (I1) from outside the engine.
// Served over loopback HTTP (memory/http.ts) when the worker runs in another process.
import { createHash, randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { z } from 'zod';
import { Consumer, CredentialKind, PrincipalStatus, PrincipalType } from '../../schemas/credential.ts';

/** worker/provider-pacing.ts PROVIDER_CALL_CHANNEL (named here, so the tenant does not import the worker). */
const providerCalls = diagnostics.channel('cordon:provider-call');

export const MemorySeed = z.object({
  principals: z.array(
    z.object({
      id: z.string(),
      displayName: z.string(),
      type: PrincipalType,
      status: PrincipalStatus.default('active'),
      /** Service accounts tied to this principal's environment (re-authenticated with it). */
      related: z.array(z.string()).default([]),
      isAdmin: z.boolean().default(false),
    }),
  ),
  credentials: z.array(
    z.object({
      id: z.string(),
      kind: CredentialKind,
      principalId: z.string(),
      label: z.string(),
      clientId: z.string().optional(),
      scopes: z.array(z.string()).default([]),
      createdAt: z.string(),
      lastUsedAt: z.string().optional(),
      consumers: z.array(Consumer).default([]),
      /** The secret value; only its hash is kept once loaded. */
      value: z.string().optional(),
      /** Cordon's own connector credential (I6). */
      cordonOwn: z.boolean().default(false),
    }),
  ),
  /** Test levers: credentials whose revocation the provider acknowledges but does not apply. */
  faults: z
    .object({
      /** Revocation of these ids is acknowledged but ignored, until the named fallback rung. */
      ignoreRevoke: z.record(z.string(), z.enum(['never', 'revokeAllForClient', 'blockApp', 'suspendPrincipal'])).default({}),
      /** Milliseconds each write takes (to widen the window for crash tests). */
      writeLatencyMs: z.number().int().min(0).default(0),
    })
    .default({ ignoreRevoke: {}, writeLatencyMs: 0 }),
});
export type MemorySeed = z.input<typeof MemorySeed>;

export interface MemCredential {
  id: string;
  kind: z.infer<typeof CredentialKind>;
  principalId: string;
  label: string;
  clientId?: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt?: string;
  consumers: z.infer<typeof Consumer>[];
  valueHash?: string;
  status: 'active' | 'revoked';
  cordonOwn: boolean;
  /** Set on replacements: (workflow, credential, consumer) key they were issued for. */
  issuedFor?: string;
  replacesId?: string;
  restrictedTo?: string[];
}

export interface MemPrincipal {
  id: string;
  displayName: string;
  type: z.infer<typeof PrincipalType>;
  status: z.infer<typeof PrincipalStatus>;
  related: string[];
  isAdmin: boolean;
}

export interface MemCall {
  seq: number;
  at: string;
  op: string;
  credentialId?: string;
  principalId?: string;
  outcome: string;
}

export interface CredentialQuery {
  id?: string;
  clientId?: string;
  user?: string;
  valueHash?: string;
}

/** Every method is async so the same interface works in-process and over HTTP (memory/http.ts). */
export interface MemoryTenantPort {
  find(query: CredentialQuery): Promise<MemCredential[]>;
  principal(id: string): Promise<MemPrincipal | undefined>;
  listActive(principalId: string): Promise<MemCredential[]>;
  revoke(id: string): Promise<{ outcome: 'done' | 'already_done' | 'not_found'; requestId: string }>;
  findIssued(idempotencyKey: string): Promise<MemCredential | undefined>;
  issue(input: { replacesId: string; consumerId: string; idempotencyKey: string }): Promise<{ credential: MemCredential; value: string | undefined }>;
  /** Ends exactly `end` (ids of the principal's credentials); already gone, another principal's or Cordon's own are skipped. */
  signOut(principalId: string, end: string[]): Promise<{ revoked: string[]; requestId: string }>;
  restrict(id: string, allow: string[]): Promise<{ outcome: 'done' | 'already_done'; requestId: string }>;
  authenticate(value: string): Promise<'ok' | 'revoked' | 'unknown'>;
  revokeAllForClient(clientId: string): Promise<{ revoked: string[]; requestId: string }>;
  blockApp(clientId: string): Promise<{ revoked: string[]; requestId: string }>;
  suspendPrincipal(id: string): Promise<{ outcome: 'done' | 'already_done'; requestId: string }>;
  audit(principalId: string, sinceIso: string): Promise<MemCall[]>;
}

export const hashValue = (value: string): string => createHash('sha256').update(value).digest('hex');

export class MemoryTenant implements MemoryTenantPort {
  #principals = new Map<string, MemPrincipal>();
  #credentials = new Map<string, MemCredential>();
  #ignoreRevoke = new Map<string, string>();
  #writeLatencyMs = 0;
  #issuesInFlight = 0;
  #calls: MemCall[] = [];
  #seq = 0;
  #request = 0;

  constructor(seed?: MemorySeed) {
    if (seed) this.load(seed);
  }

  load(input: MemorySeed): void {
    const seed = MemorySeed.parse(input);
    this.#principals = new Map(seed.principals.map((p) => [p.id, { ...p }]));
    this.#credentials = new Map(
      seed.credentials.map((c) => {
        const { value, ...rest } = c;
        const cred: MemCredential = { ...rest, status: 'active', ...(value ? { valueHash: hashValue(value) } : {}) };
        return [c.id, cred];
      }),
    );
    this.#ignoreRevoke = new Map(Object.entries(seed.faults.ignoreRevoke));
    this.#writeLatencyMs = seed.faults.writeLatencyMs;
    this.#calls = [];
  }

  /** Ordered log of every provider call, for tests and the demo report. */
  calls(): MemCall[] {
    return this.#calls.map((c) => ({ ...c }));
  }

  /** Every credential, revoked ones included (tests and the demo report). */
  allCredentials(): MemCredential[] {
    return [...this.#credentials.values()].map((c) => ({ ...c }));
  }

  credential(id: string): MemCredential | undefined {
    const c = this.#credentials.get(id);
    return c ? { ...c } : undefined;
  }

  #log(op: string, outcome: string, ids: { credentialId?: string; principalId?: string } = {}): string {
    // Counted as a provider call by the worker that made it, as a remote provider's HTTP request is (worker/provider-pacing.ts).
    providerCalls.publish({ provider: 'memory' });
    this.#calls.push({ seq: ++this.#seq, at: new Date().toISOString(), op, outcome, ...ids });
    return `mem-req-${++this.#request}`;
  }

  async #writeDelay(): Promise<void> {
    if (this.#writeLatencyMs > 0) await new Promise((r) => setTimeout(r, this.#writeLatencyMs));
  }

  #isLive(c: MemCredential): boolean {
    if (c.status !== 'active') return false;
    const owner = this.#principals.get(c.principalId);
    if (owner && owner.status !== 'active' && this.#ignoreRevoke.get(c.id) !== 'never') return false;
    return true;
  }

  async find(q: CredentialQuery): Promise<MemCredential[]> {
    const out = [...this.#credentials.values()].filter(
      (c) =>
        (!q.id || c.id === q.id) &&
        (!q.clientId || c.clientId === q.clientId) &&
        (!q.user || c.principalId === q.user) &&
        (!q.valueHash || c.valueHash === q.valueHash),
    );
    this.#log('find', `${out.length} found`);
    return out.map((c) => ({ ...c, status: this.#isLive(c) ? 'active' : 'revoked' }));
  }

  async principal(id: string): Promise<MemPrincipal | undefined> {
    const p = this.#principals.get(id);
    return p ? { ...p } : undefined;
  }

  async listActive(principalId: string): Promise<MemCredential[]> {
    const out = [...this.#credentials.values()].filter((c) => c.principalId === principalId && this.#isLive(c));
    this.#log('listActive', `${out.length} active`, { principalId });
    return out.map((c) => ({ ...c }));
  }

  async revoke(id: string): Promise<{ outcome: 'done' | 'already_done' | 'not_found'; requestId: string }> {
    await this.#writeDelay();
    const c = this.#credentials.get(id);
    if (!c) return { outcome: 'not_found', requestId: this.#log('revoke', 'not_found', { credentialId: id }) };
    if (!this.#isLive(c)) return { outcome: 'already_done', requestId: this.#log('revoke', 'already_revoked', { credentialId: id }) };
    // A provider that acknowledges but does not apply the revocation: what verification must catch (I3).
    if (!this.#ignoreRevoke.has(c.id)) c.status = 'revoked';
    return { outcome: 'done', requestId: this.#log('revoke', 'revoked', { credentialId: id }) };
  }

  async findIssued(idempotencyKey: string): Promise<MemCredential | undefined> {
    const c = [...this.#credentials.values()].find((x) => x.issuedFor === idempotencyKey);
    return c ? { ...c } : undefined;
  }

  /** Replacement mints received and not yet answered (crash tests kill a worker while one is in flight). */
  issuesInFlight(): number {
    return this.#issuesInFlight;
  }

  async issue(input: { replacesId: string; consumerId: string; idempotencyKey: string }): Promise<{ credential: MemCredential; value: string | undefined }> {
    this.#issuesInFlight++;
    try {
      await this.#writeDelay();
    } finally {
      this.#issuesInFlight--;
    }
    const existing = [...this.#credentials.values()].find((x) => x.issuedFor === input.idempotencyKey);
    if (existing) {
      this.#log('issue', 'already_issued', { credentialId: existing.id });
      return { credential: { ...existing }, value: undefined };
    }
    const old = this.#credentials.get(input.replacesId);
    if (!old) throw new Error(`no credential ${input.replacesId} to replace`);
    const value = `mem_${randomBytes(24).toString('base64url')}`;
    const cred: MemCredential = {
      id: `${old.id}-r-${input.consumerId}-${randomBytes(3).toString('hex')}`,
      kind: old.kind,
      principalId: old.principalId,
      label: `${old.label} (replacement for ${input.consumerId})`,
      ...(old.clientId ? { clientId: old.clientId } : {}),
      scopes: [...old.scopes],
      createdAt: new Date().toISOString(),
      consumers: old.consumers.filter((x) => x.id === input.consumerId),
      valueHash: hashValue(value),
      status: 'active',
      cordonOwn: false,
      issuedFor: input.idempotencyKey,
      replacesId: old.id,
    };
    this.#credentials.set(cred.id, cred);
    this.#log('issue', 'issued', { credentialId: cred.id });
    return { credential: { ...cred }, value };
  }

  async signOut(principalId: string, end: string[]): Promise<{ revoked: string[]; requestId: string }> {
    await this.#writeDelay();
    const revoked: string[] = [];
    for (const id of new Set(end)) {
      const c = this.#credentials.get(id);
      // Only what the caller named, of this principal: nothing else is touched (I8), never Cordon's own (I6).
      if (!c || c.principalId !== principalId || c.cordonOwn || !this.#isLive(c)) continue;
      if (!this.#ignoreRevoke.has(c.id)) c.status = 'revoked';
      revoked.push(c.id);
    }
    return { revoked, requestId: this.#log('signOut', `${revoked.length} ended`, { principalId }) };
  }

  async restrict(id: string, allow: string[]): Promise<{ outcome: 'done' | 'already_done'; requestId: string }> {
    await this.#writeDelay();
    const c = this.#credentials.get(id);
    if (!c) throw new Error(`no credential ${id}`);
    const same = JSON.stringify(c.restrictedTo ?? []) === JSON.stringify(allow);
    c.restrictedTo = [...allow];
    return { outcome: same ? 'already_done' : 'done', requestId: this.#log('restrict', same ? 'unchanged' : 'restricted', { credentialId: id }) };
  }

  async authenticate(value: string): Promise<'ok' | 'revoked' | 'unknown'> {
    const h = hashValue(value);
    const c = [...this.#credentials.values()].find((x) => x.valueHash === h);
    const result = !c ? 'unknown' : this.#isLive(c) ? 'ok' : 'revoked';
    this.#log('authenticate', result, c ? { credentialId: c.id } : {});
    return result;
  }

  #revokeWhere(match: (c: MemCredential) => boolean, rung: string): string[] {
    const revoked: string[] = [];
    for (const c of this.#credentials.values()) {
      if (!match(c) || !this.#isLive(c)) continue;
      const until = this.#ignoreRevoke.get(c.id);
      if (until === undefined || until === rung) c.status = 'revoked';
      if (until === rung) this.#ignoreRevoke.delete(c.id);
      revoked.push(c.id);
    }
    return revoked;
  }

  async revokeAllForClient(clientId: string): Promise<{ revoked: string[]; requestId: string }> {
    await this.#writeDelay();
    const revoked = this.#revokeWhere((c) => c.clientId === clientId && !c.issuedFor, 'revokeAllForClient');
    return { revoked, requestId: this.#log('revokeAllForClient', `${revoked.length} revoked`) };
  }

  async blockApp(clientId: string): Promise<{ revoked: string[]; requestId: string }> {
    await this.#writeDelay();
    const revoked = this.#revokeWhere((c) => c.clientId === clientId && !c.issuedFor, 'blockApp');
    return { revoked, requestId: this.#log('blockApp', `${revoked.length} revoked`) };
  }

  async suspendPrincipal(id: string): Promise<{ outcome: 'done' | 'already_done'; requestId: string }> {
    await this.#writeDelay();
    const p = this.#principals.get(id);
    if (!p) throw new Error(`no principal ${id}`);
    if (p.status === 'suspended') return { outcome: 'already_done', requestId: this.#log('suspendPrincipal', 'already', { principalId: id }) };
    p.status = 'suspended';
    for (const [cid, until] of this.#ignoreRevoke) if (until === 'suspendPrincipal') {
      this.#ignoreRevoke.delete(cid);
      const c = this.#credentials.get(cid);
      if (c) c.status = 'revoked';
    }
    return { outcome: 'done', requestId: this.#log('suspendPrincipal', 'suspended', { principalId: id }) };
  }

  async audit(principalId: string, sinceIso: string): Promise<MemCall[]> {
    return this.#calls.filter((c) => c.principalId === principalId && c.at >= sinceIso);
  }
}
