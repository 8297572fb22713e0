// Repository deploy keys (GitHub REST API docs: deploy keys): list, get, create (OpenSSH public key,
// once across GitHub) and delete; a repeated delete answers as the test picked (setGoneAnswer).
import type { Router } from '../core/http.ts';
import { bodyObject, callerRoute, gateRepo, type Need } from './access.ts';
import type { GitHubState, Live, Repo } from './state.ts';
import { goneAnswer, invalidRequest, notFound, paginate, validationFailed } from './wire.ts';

export function addDeployKeyRoutes(router: Router, state: GitHubState): void {
  const route = callerRoute(router, state);

  function deployKeyBody(k: Extract<Live, { kind: 'deploy_key' }>): Record<string, unknown> {
    return {
      id: k.id,
      key: k.publicKey,
      url: `${state.baseUrl}/repos/${state.orgLogin()}/${k.repo}/keys/${k.id}`,
      title: k.title,
      verified: true,
      created_at: k.createdAt,
      read_only: k.readOnly,
      added_by: k.addedBy ?? null,
      last_used: k.lastUsedAt ?? null,
      enabled: true,
    };
  }

  const deployKeys = (repo: Repo) =>
    state.credentials.filter((c): c is Extract<Live, { kind: 'deploy_key' }> => c.kind === 'deploy_key' && !c.revoked && c.repo === repo.name);
  const keyNeed = (write: boolean): Need => ({ permission: 'administration', write, ownerOnly: true });

  route('GET', '/repos/:owner/:repo/keys', 'repos.listDeployKeys', (req, _call, caller) => {
    const g = gateRepo(state, caller, req.params.owner!, req.params.repo!, keyNeed(false));
    if ('denied' in g) return g.denied;
    const { page, headers } = paginate(req, state.baseUrl, deployKeys(g.repo));
    return { status: 200, headers, body: page.map(deployKeyBody) };
  });

  route('POST', '/repos/:owner/:repo/keys', 'repos.createDeployKey', (req, call, caller) => {
    const g = gateRepo(state, caller, req.params.owner!, req.params.repo!, keyNeed(true));
    if ('denied' in g) return g.denied;
    const body = bodyObject(req);
    if (typeof body.key !== 'string') return invalidRequest('"key" wasn\'t supplied.');
    const parts = body.key.trim().split(/\s+/);
    const valid = parts.length >= 2 && /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com)$/.test(parts[0]!) && /^[A-Za-z0-9+/]+=*$/.test(parts[1]!);
    if (!valid) {
      return validationFailed([{ resource: 'PublicKey', code: 'custom', field: 'key', message: 'key is invalid. You must supply a key in OpenSSH public key format' }]);
    }
    const canonical = `${parts[0]} ${parts[1]}`;
    // A public key can be used once across GitHub (GitHub REST API docs: Actions secrets).
    if (state.credentials.some((c) => c.kind === 'deploy_key' && !c.revoked && c.publicKey.split(/\s+/).slice(0, 2).join(' ') === canonical)) {
      return validationFailed([{ resource: 'PublicKey', code: 'custom', field: 'key', message: 'key is already in use' }]);
    }
    const key: Live = {
      kind: 'deploy_key',
      id: state.nextId++,
      repo: g.repo.name,
      title: typeof body.title === 'string' ? body.title : '',
      publicKey: canonical,
      readOnly: body.read_only === undefined ? false : Boolean(body.read_only),
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      consumers: [],
      ...(caller.type === 'user' ? { addedBy: caller.member.login } : {}),
      revoked: false,
      orgAccessRevoked: false,
      samlRemoved: false,
    };
    state.credentials.push(key);
    call.target = state.credentialLabel(key);
    state.record('public_key.create', caller, { repo: g.repo.name, extra: { title: key.title, read_only: key.readOnly } });
    const bodyOut = deployKeyBody(key);
    return { status: 201, headers: { location: String(bodyOut.url) }, body: bodyOut };
  });

  route('GET', '/repos/:owner/:repo/keys/:key_id', 'repos.getDeployKey', (req, call, caller) => {
    const g = gateRepo(state, caller, req.params.owner!, req.params.repo!, keyNeed(false));
    if ('denied' in g) return g.denied;
    const k = deployKeys(g.repo).find((c) => c.id === Number(req.params.key_id));
    if (!k) return notFound();
    call.target = state.credentialLabel(k);
    return { status: 200, body: deployKeyBody(k) };
  });

  route('DELETE', '/repos/:owner/:repo/keys/:key_id', 'repos.deleteDeployKey', (req, call, caller) => {
    const g = gateRepo(state, caller, req.params.owner!, req.params.repo!, keyNeed(true));
    if ('denied' in g) return g.denied;
    const k = deployKeys(g.repo).find((c) => c.id === Number(req.params.key_id));
    if (!k) {
      // Already deleted: 404 by convention (undocumented); a test may pick 410 or 422 "not found" instead.
      const deleted = state.credentials.some((c) => c.kind === 'deploy_key' && c.revoked && c.repo === g.repo.name && c.id === Number(req.params.key_id));
      const gone = state.goneAnswers.get('repos.deleteDeployKey');
      return deleted && gone ? goneAnswer(gone, 'PublicKey') : notFound();
    }
    call.target = state.credentialLabel(k);
    k.revoked = true;
    state.record('public_key.delete', caller, { repo: g.repo.name, extra: { title: k.title } });
    return { status: 204 };
  });
}
