// Cloud IAM v1 service accounts and keys, /v1/projects/{p}/serviceAccounts/… with the `:disable` /
// `:enable` custom verbs (Cloud IAM API docs: projects.serviceAccounts.keys). AIP-193 errors; an unknown service
// account is 403 PERMISSION_DENIED, not 404, as on the real API.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { selfSignedCertificate } from './certificate.ts';
import type { CallContext, EmuRequest, EmuResponse, Router } from '../core/http.ts';
import { isResponse, requireCloudToken } from './oauth.ts';
import { etagOf, keyName, type GoogleState, type KeyState, type ServiceAccountState } from './state.ts';
import { iamError } from './wire.ts';

const SA = '/v1/projects/:project/serviceAccounts';
/** IAM's hard limit of user-managed keys per service account (Cloud IAM docs: service account key quotas). */
export const MAX_USER_MANAGED_KEYS = 10;

type AccountHandler = (account: ServiceAccountState, req: EmuRequest, call: CallContext) => EmuResponse;

export function addIamRoutes(router: Router, state: GoogleState): void {
  /** Authenticates, resolves the account (project `-` = any) and checks the caller's IAM role on it. */
  const withAccount =
    (permission: string, handler: AccountHandler) =>
    (req: EmuRequest, call: CallContext): EmuResponse => {
      const token = requireCloudToken(state, req, call);
      if (isResponse(token)) return token;
      const project = req.params.project ?? '';
      const account = state.account(req.params.account ?? '');
      const resource = `projects/${project}/serviceAccounts/${req.params.account ?? ''}`;
      call.target = resource;
      const allowed =
        account &&
        (project === '-' || project === account.projectId) &&
        state.projects.get(account.projectId)?.iamAdmins.includes(token.principal);
      if (!account || !allowed) return denied(permission, resource);
      call.target = `projects/${account.projectId}/serviceAccounts/${account.email}`;
      return handler(account, req, call);
    };
  /** The certificate keys.get returns for TYPE_X509_PEM_FILE, made once per Google-provided key. */
  const certificates = new WeakMap<KeyState, string>();
  const certificateOf = (key: KeyState): string => {
    if (key.uploadedCertificatePem) return key.uploadedCertificatePem;
    let pem = certificates.get(key);
    if (!pem) {
      const material = state.materialOf(key);
      const priv = createPrivateKey(material.privateKeyPem);
      pem = selfSignedCertificate(key.keyId, priv, createPublicKey(priv));
      certificates.set(key, pem);
    }
    return pem;
  };
  const withKey =
    (permission: string, handler: (name: string, key: KeyState, account: ServiceAccountState, call: CallContext, req: EmuRequest) => EmuResponse) =>
      withAccount(permission, (account, req, call) => {
        const name = keyName(account.projectId, account.email, req.params.keyId ?? '');
        call.target = name;
        const key = state.keys.get(name);
        if (!key) return iamError(404, 'NOT_FOUND', `Service account key ${req.params.keyId ?? ''} does not exist.`);
        return handler(name, key, account, call, req);
      });

  router
    .add('GET', SA, 'projects.serviceAccounts.list', (req, call) => {
      const token = requireCloudToken(state, req, call);
      if (isResponse(token)) return token;
      const project = state.projects.get(req.params.project ?? '');
      call.target = `projects/${req.params.project ?? ''}`;
      if (!project || !project.iamAdmins.includes(token.principal)) return denied('iam.serviceAccounts.list', `projects/${req.params.project ?? ''}`);
      const accounts = [...state.accounts.values()].filter((a) => a.projectId === project.projectId).map(renderAccount);
      return { status: 200, body: accounts.length ? { accounts } : {} };
    })
    .add('GET', `${SA}/:account`, 'projects.serviceAccounts.get', withAccount('iam.serviceAccounts.get', (account) => ({ status: 200, body: renderAccount(account) })))
    .add(
      'POST',
      `${SA}/:account\\:disable`,
      'projects.serviceAccounts.disable',
      withAccount('iam.serviceAccounts.disable', (account) => {
        account.disabled = true;
        return { status: 200, body: {} };
      }),
    )
    .add(
      'POST',
      `${SA}/:account\\:enable`,
      'projects.serviceAccounts.enable',
      withAccount('iam.serviceAccounts.enable', (account) => {
        account.disabled = false;
        return { status: 200, body: {} };
      }),
    )
    .add(
      'GET',
      `${SA}/:account/keys`,
      'projects.serviceAccounts.keys.list',
      withAccount('iam.serviceAccountKeys.list', (account, req) => {
        const types = req.query.getAll('keyTypes');
        const keys = state
          .keysOf(account)
          .filter(([, k]) => types.length === 0 || types.includes(k.keyType) || types.includes('KEY_TYPE_UNSPECIFIED'))
          .map(([name, k]) => renderKey(state, name, k));
        return { status: 200, body: keys.length ? { keys } : {} };
      }),
    )
    .add(
      'POST',
      `${SA}/:account/keys`,
      'projects.serviceAccounts.keys.create',
      withAccount('iam.serviceAccountKeys.create', (account, req, call) => {
        const body = (req.json ?? {}) as { privateKeyType?: string; keyAlgorithm?: string };
        if (body.privateKeyType && body.privateKeyType !== 'TYPE_GOOGLE_CREDENTIALS_FILE')
          return iamError(400, 'INVALID_ARGUMENT', `Only TYPE_GOOGLE_CREDENTIALS_FILE keys are emulated, not ${body.privateKeyType}.`);
        if (body.keyAlgorithm && !['KEY_ALG_RSA_2048', 'KEY_ALG_UNSPECIFIED'].includes(body.keyAlgorithm))
          return iamError(400, 'INVALID_ARGUMENT', `Only KEY_ALG_RSA_2048 keys are emulated, not ${body.keyAlgorithm}.`);
        const userManaged = state.keysOf(account).filter(([, k]) => k.keyType === 'USER_MANAGED').length;
        if (userManaged >= MAX_USER_MANAGED_KEYS) return iamError(400, 'FAILED_PRECONDITION', 'Precondition check failed.');
        const [name, key] = state.mintKey(account);
        call.target = name;
        const keyFile = JSON.stringify(state.keyFileOf(name));
        return {
          status: 200,
          body: {
            ...renderKey(state, name, key),
            privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE',
            privateKeyData: Buffer.from(keyFile).toString('base64'),
          },
        };
      }),
    )
    .add(
      'POST',
      `${SA}/:account/keys\\:upload`,
      'projects.serviceAccounts.keys.upload',
      withAccount('iam.serviceAccountKeys.upload', (account, req, call) => {
        // UploadServiceAccountKeyRequest { publicKeyData: bytes }: base64 (proto3 JSON) of a PEM X.509 v3
        // certificate wrapping an RSA public key (Cloud IAM API docs: projects.serviceAccounts.keys.upload).
        if (state.keyUploadDisabled) {
          // Shaped as IAM's refusal under iam.disableServiceAccountKeyCreation (PreconditionFailure naming the constraint).
          return iamError(400, 'FAILED_PRECONDITION', 'Precondition check failed.', [
            {
              '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
              violations: [{ type: 'constraints/iam.disableServiceAccountKeyUpload', subject: `orgpolicy:projects/${account.projectId}`, description: 'Key upload is not allowed on this service account.' }],
            },
          ]);
        }
        const data = (req.json as { publicKeyData?: unknown } | undefined)?.publicKeyData;
        let cert: X509Certificate | undefined;
        try {
          if (typeof data === 'string' && data) cert = new X509Certificate(Buffer.from(data, 'base64').toString('utf8'));
        } catch {
          cert = undefined;
        }
        if (!cert || cert.publicKey.asymmetricKeyType !== 'rsa' || !cert.verify(cert.publicKey))
          return iamError(400, 'INVALID_ARGUMENT', 'The given public key data is not a valid X.509 v3 certificate wrapping an RSA public key.');
        const userManaged = state.keysOf(account).filter(([, k]) => k.keyType === 'USER_MANAGED').length;
        if (userManaged >= MAX_USER_MANAGED_KEYS) return iamError(400, 'FAILED_PRECONDITION', 'Precondition check failed.');
        const pem = cert.toString();
        const [name, key] = state.uploadKey(account, pem, cert.publicKey.export({ type: 'spki', format: 'pem' }).toString(), new Date(cert.validFrom));
        call.target = name;
        return { status: 200, body: renderKey(state, name, key) };
      }),
    )
    .add(
      'GET',
      `${SA}/:account/keys/:keyId`,
      'projects.serviceAccounts.keys.get',
      withKey('iam.serviceAccountKeys.get', (name, key, _account, _call, req) => {
        const body: Record<string, unknown> = renderKey(state, name, key);
        // publicKeyType defaults to TYPE_NONE: no public key unless asked (Cloud IAM API docs: keys.get). An
        // uploaded key answers with the certificate it was uploaded in; a Google-provided key with a
        // certificate self-signed by its own private key.
        const type = req.query.get('publicKeyType') ?? 'TYPE_NONE';
        if (type === 'TYPE_X509_PEM_FILE') body.publicKeyData = Buffer.from(certificateOf(key)).toString('base64');
        else if (type === 'TYPE_RAW_PUBLIC_KEY') body.publicKeyData = Buffer.from(state.materialOf(key).publicKeyPem).toString('base64');
        else if (type !== 'TYPE_NONE') return iamError(400, 'INVALID_ARGUMENT', `Invalid value at 'public_key_type' (type.googleapis.com/google.iam.admin.v1.ServiceAccountPublicKeyType), "${type}"`);
        return { status: 200, body };
      }),
    )
    .add(
      'DELETE',
      `${SA}/:account/keys/:keyId`,
      'projects.serviceAccounts.keys.delete',
      withKey('iam.serviceAccountKeys.delete', (name) => {
        state.keys.delete(name);
        return { status: 200, body: {} };
      }),
    )
    .add(
      'POST',
      `${SA}/:account/keys/:keyId\\:disable`,
      'projects.serviceAccounts.keys.disable',
      withKey('iam.serviceAccountKeys.disable', (_name, key) => {
        key.disabled = true;
        return { status: 200, body: {} };
      }),
    )
    .add(
      'POST',
      `${SA}/:account/keys/:keyId\\:enable`,
      'projects.serviceAccounts.keys.enable',
      withKey('iam.serviceAccountKeys.enable', (_name, key) => {
        key.disabled = false;
        return { status: 200, body: {} };
      }),
    );
}

function denied(permission: string, resource: string): EmuResponse {
  return iamError(403, 'PERMISSION_DENIED', `Permission '${permission}' denied on resource (or it may not exist).`, [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'iam.googleapis.com',
      metadata: { permission, resource },
    },
  ]);
}

function renderAccount(a: ServiceAccountState): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: `projects/${a.projectId}/serviceAccounts/${a.email}`,
    projectId: a.projectId,
    uniqueId: a.uniqueId,
    email: a.email,
    displayName: a.displayName,
    oauth2ClientId: a.uniqueId,
  };
  if (a.description) body.description = a.description;
  // proto3 JSON omits false booleans.
  if (a.disabled) body.disabled = true;
  body.etag = Buffer.from(etagOf(body)).toString('base64');
  return body;
}

function renderKey(state: GoogleState, name: string, k: KeyState): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name,
    validAfterTime: state.tenantClock.toWire(k.validAfterTime),
    validBeforeTime: k.validBeforeTime,
    keyAlgorithm: 'KEY_ALG_RSA_2048',
    keyOrigin: k.uploadedCertificatePem ? 'USER_PROVIDED' : 'GOOGLE_PROVIDED',
    keyType: k.keyType,
  };
  if (k.disabled) body.disabled = true;
  return body;
}
