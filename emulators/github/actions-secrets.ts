// Repository Actions secrets (GitHub REST API docs: actions/secrets): the repo's public key, and secrets
// sent as a libsodium sealed box to it. The emulator opens the box so tests can read what arrived
// (GitHubEmulator.revealSecret); the value never reaches the call log.
import type { Router } from '../core/http.ts';
import sodium from 'libsodium-wrappers';
import { bodyObject, callerRoute, gateRepo, type Need } from './access.ts';
import type { GitHubState, Repo } from './state.ts';
import { invalidRequest, notFound, paginate, validationFailed } from './wire.ts';

export function addActionsSecretRoutes(router: Router, state: GitHubState): void {
  const route = callerRoute(router, state);

  const secretNeed = (write: boolean): Need => ({ permission: 'secrets', write, ownerOnly: true });
  const secretKey = (repo: Repo, name: string) => `${repo.name}/${name.toUpperCase()}`;

  route('GET', '/repos/:owner/:repo/actions/secrets/public-key', 'actions.getRepoPublicKey', (req, call, caller) => {
    const g = gateRepo(state, caller, req.params.owner!, req.params.repo!, secretNeed(false));
    if ('denied' in g) return g.denied;
    const k = state.repoKey(g.repo);
    call.target = `repo:${state.orgLogin()}/${g.repo.name}`;
    return { status: 200, body: { key_id: k.keyId, key: sodium.to_base64(k.publicKey, sodium.base64_variants.ORIGINAL) } };
  });

  route('GET', '/repos/:owner/:repo/actions/secrets', 'actions.listRepoSecrets', (req, _call, caller) => {
    const g = gateRepo(state, caller, req.params.owner!, req.params.repo!, secretNeed(false));
    if ('denied' in g) return g.denied;
    const mine = [...state.secrets.entries()]
      .filter(([k]) => k.startsWith(`${g.repo.name}/`))
      .map(([k, s]) => ({ name: k.slice(g.repo.name.length + 1), created_at: s.createdAt, updated_at: s.updatedAt }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, headers } = paginate(req, state.baseUrl, mine);
    return { status: 200, headers, body: { total_count: mine.length, secrets: page } };
  });

  route('GET', '/repos/:owner/:repo/actions/secrets/:secret_name', 'actions.getRepoSecret', (req, call, caller) => {
    const g = gateRepo(state, caller, req.params.owner!, req.params.repo!, secretNeed(false));
    if ('denied' in g) return g.denied;
    const s = state.secrets.get(secretKey(g.repo, req.params.secret_name!));
    if (!s) return notFound();
    call.target = `secret:${state.orgLogin()}/${g.repo.name}:${req.params.secret_name!.toUpperCase()}`;
    return { status: 200, body: { name: req.params.secret_name!.toUpperCase(), created_at: s.createdAt, updated_at: s.updatedAt } };
  });

  route('PUT', '/repos/:owner/:repo/actions/secrets/:secret_name', 'actions.createOrUpdateRepoSecret', (req, call, caller) => {
    const g = gateRepo(state, caller, req.params.owner!, req.params.repo!, secretNeed(true));
    if ('denied' in g) return g.denied;
    const name = req.params.secret_name!;
    if (!/^[A-Z_][A-Z0-9_]*$/i.test(name) || /^GITHUB_/i.test(name)) {
      return validationFailed([{ resource: 'Secret', field: 'name', code: 'invalid', message: 'Secret names can only contain alphanumeric characters or underscores, must not start with a number or GITHUB_.' }]);
    }
    const body = bodyObject(req);
    const encrypted = body.encrypted_value;
    const keyId = body.key_id;
    const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
    if (typeof encrypted !== 'string' || !base64.test(encrypted)) return invalidRequest('"encrypted_value" wasn\'t supplied or is not base64.');
    if (typeof keyId !== 'string') return invalidRequest('"key_id" wasn\'t supplied.');
    const k = state.repoKey(g.repo);
    if (keyId !== k.keyId) return validationFailed([{ resource: 'Secret', field: 'key_id', code: 'invalid', message: 'key_id does not match the repository public key' }]);
    let value: string;
    try {
      value = sodium.to_string(sodium.crypto_box_seal_open(sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL), k.publicKey, k.privateKey));
    } catch {
      return validationFailed([{ resource: 'Secret', field: 'encrypted_value', code: 'invalid', message: 'encrypted_value could not be decrypted with the repository public key' }]);
    }
    const id = secretKey(g.repo, name);
    call.target = `secret:${state.orgLogin()}/${g.repo.name}:${name.toUpperCase()}`;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const existing = state.secrets.get(id);
    if (existing) {
      existing.updatedAt = now;
      existing.value = value;
      state.record('repo.update_actions_secret', caller, { repo: g.repo.name, extra: { name: name.toUpperCase() } });
      return { status: 204 };
    }
    state.secrets.set(id, { createdAt: now, updatedAt: now, value });
    state.record('repo.create_actions_secret', caller, { repo: g.repo.name, extra: { name: name.toUpperCase() } });
    return { status: 201, body: {} };
  });

  route('DELETE', '/repos/:owner/:repo/actions/secrets/:secret_name', 'actions.deleteRepoSecret', (req, call, caller) => {
    const g = gateRepo(state, caller, req.params.owner!, req.params.repo!, secretNeed(true));
    if ('denied' in g) return g.denied;
    const id = secretKey(g.repo, req.params.secret_name!);
    if (!state.secrets.has(id)) return notFound();
    call.target = `secret:${state.orgLogin()}/${g.repo.name}:${req.params.secret_name!.toUpperCase()}`;
    state.secrets.delete(id);
    state.record('repo.remove_actions_secret', caller, { repo: g.repo.name, extra: { name: req.params.secret_name!.toUpperCase() } });
    return { status: 204 };
  });
}
