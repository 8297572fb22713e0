// The google section of a scenario file: one Workspace customer (users, their OAuth grants,
// application-specific passwords, backup codes, web sessions, token audit events, domain-wide
// delegation grants) and the Cloud projects holding service accounts and their keys. Pure zod.
// Shapes follow the googleapis Admin SDK Directory and Reports API and Cloud IAM API docs.
import { z } from 'zod';
import { AuditSeed } from '../core/audit-log.ts';
import { Consumer } from '../core/types.ts';

const IsoTime = z.iso.datetime({ offset: true });
const Email = z.email();

export const GoogleUser = z
  .object({
    /** Immutable numeric id (Directory `id`), a userKey alternative to the primary email. */
    id: z.string().regex(/^\d{6,30}$/, 'a Google user id is numeric'),
    primaryEmail: Email,
    name: z.string().min(1),
    isAdmin: z.boolean().default(false),
    /** offboarded = suspended and archived (Workspace's archived-user licence). */
    status: z.enum(['active', 'suspended', 'offboarded']).default('active'),
    /** An integration user a vendor app signs in as (Cordon reports it as integration_user). */
    integration: z.boolean().default(false),
    creationTime: IsoTime,
    lastLoginTime: IsoTime.optional(),
  })
  .strict();

export const GoogleOAuthClient = z
  .object({
    clientId: z.string().min(1),
    /** Shown as the token's `displayText` in tokens.list. */
    name: z.string().min(1),
    nativeApp: z.boolean().default(false),
    anonymous: z.boolean().default(false),
  })
  .strict();

/** A user's grant to one OAuth client: what Directory tokens.list shows as one "token". */
export const GoogleGrant = z
  .object({
    /** Emulator-side id (Google exposes none: a grant is identified by user + client). */
    id: z.string().min(1),
    userKey: Email,
    clientId: z.string().min(1),
    scopes: z.array(z.string().min(1)).min(1),
    createdAt: IsoTime,
    lastUsedAt: IsoTime.optional(),
    /** The refresh token the client holds, when the scenario lets a stolen one be replayed at /token. */
    refreshToken: z.string().startsWith('1//').optional(),
    consumers: z.array(Consumer).default([]),
  })
  .strict();

export const GoogleAsp = z
  .object({
    codeId: z.number().int().positive(),
    userKey: Email,
    name: z.string().min(1),
    creationTime: IsoTime,
    lastTimeUsed: IsoTime.optional(),
    consumers: z.array(Consumer).default([]),
  })
  .strict();

export const GoogleVerificationCode = z
  .object({ userKey: Email, verificationCode: z.string().regex(/^\d{8}$/, 'a backup code is 8 digits') })
  .strict();

/** A web/device sign-in session; there is no API to list them, only users.signOut to end them. */
export const GoogleSession = z
  .object({
    id: z.string().min(1),
    userKey: Email,
    createdAt: IsoTime,
    lastActiveAt: IsoTime.optional(),
    ip: z.string().optional(),
    consumers: z.array(Consumer).default([]),
  })
  .strict();

export const GoogleProject = z
  .object({
    projectId: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a GCP project id'),
    projectNumber: z.string().regex(/^\d+$/),
    /** Principals (user or service-account emails) holding roles/iam.serviceAccountKeyAdmin here. */
    iamAdmins: z.array(Email).default([]),
  })
  .strict();

export const GoogleServiceAccount = z
  .object({
    email: Email,
    projectId: z.string().min(1),
    /** 21-digit unique id; also the OAuth client id that DWD grants and tokens.list name. */
    uniqueId: z.string().regex(/^\d{15,25}$/, 'a service account unique id is numeric'),
    displayName: z.string().default(''),
    description: z.string().default(''),
    disabled: z.boolean().default(false),
  })
  .strict();

export const GoogleServiceAccountKey = z
  .object({
    keyId: z.string().regex(/^[0-9a-f]{40}$/, 'a service account key id is 40 hex characters'),
    serviceAccount: Email,
    keyType: z.enum(['USER_MANAGED', 'SYSTEM_MANAGED']).default('USER_MANAGED'),
    validAfterTime: IsoTime,
    validBeforeTime: IsoTime.optional(),
    disabled: z.boolean().default(false),
    lastUsedAt: IsoTime.optional(),
    consumers: z.array(Consumer).default([]),
    /** Cordon's own connector key (design.md I6): connection() hands it to the client under test. */
    cordonOwn: z.boolean().default(false),
  })
  .strict();

export const GoogleDelegation = z
  .object({ clientId: z.string().min(1), scopes: z.array(z.string().min(1)).min(1) })
  .strict();

/** Rendered as a Reports API `token` activity (Admin SDK Reports API docs: token activities). */
export const GoogleTokenEvent = z
  .object({
    at: IsoTime,
    userKey: Email,
    clientId: z.string().min(1),
    eventName: z.enum(['authorize', 'revoke', 'activity']),
    appName: z.string().default(''),
    scopes: z.array(z.string()).default([]),
    ip: z.string().optional(),
    apiName: z.string().optional(),
    methodName: z.string().optional(),
  })
  .strict();

export const GoogleScenario = z
  .object({
    customer: z.object({ id: z.string().regex(/^C[0-9a-z]{6,}$/, 'a customer id like C03az79cb'), domain: z.string().min(3) }).strict(),
    users: z.array(GoogleUser).default([]),
    oauthClients: z.array(GoogleOAuthClient).default([]),
    tokens: z.array(GoogleGrant).default([]),
    asps: z.array(GoogleAsp).default([]),
    verificationCodes: z.array(GoogleVerificationCode).default([]),
    sessions: z.array(GoogleSession).default([]),
    projects: z.array(GoogleProject).default([]),
    serviceAccounts: z.array(GoogleServiceAccount).default([]),
    serviceAccountKeys: z.array(GoogleServiceAccountKey).default([]),
    domainWideDelegation: z.array(GoogleDelegation).default([]),
    tokenEvents: z.array(GoogleTokenEvent).default([]),
    /** Reports API activities of any application (`token`, `login`, `admin`, …) as activities.list returns them, served as they are. */
    auditRecords: z.array(AuditSeed).default([]),
    /** The Workspace admin Cordon's service account impersonates (JWT `sub`). */
    cordonSubject: Email.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const users = new Map(s.users.map((u) => [u.primaryEmail, u]));
    const clients = new Set(s.oauthClients.map((c) => c.clientId));
    const projects = new Set(s.projects.map((p) => p.projectId));
    const accounts = new Set(s.serviceAccounts.map((a) => a.email));
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const unique = (what: string, field: string, ids: (string | number)[]) => {
      const seen = new Set<string | number>();
      ids.forEach((id, i) => {
        if (seen.has(id)) issue([what, i, field], `duplicate ${what} ${field} ${id}`);
        seen.add(id);
      });
    };
    unique('users', 'primaryEmail', s.users.map((u) => u.primaryEmail));
    unique('users', 'id', s.users.map((u) => u.id));
    unique('tokens', 'id', s.tokens.map((t) => t.id));
    unique('tokens', 'clientId', s.tokens.map((t) => `${t.userKey} ${t.clientId}`));
    unique('asps', 'codeId', s.asps.map((a) => a.codeId));
    unique('serviceAccounts', 'email', s.serviceAccounts.map((a) => a.email));
    unique('serviceAccountKeys', 'keyId', s.serviceAccountKeys.map((k) => k.keyId));
    const needUser = (what: string, list: { userKey: string }[]) =>
      list.forEach((x, i) => {
        if (!users.has(x.userKey)) issue([what, i, 'userKey'], `unknown user ${x.userKey}`);
      });
    needUser('tokens', s.tokens);
    needUser('asps', s.asps);
    needUser('verificationCodes', s.verificationCodes);
    needUser('sessions', s.sessions);
    needUser('tokenEvents', s.tokenEvents);
    s.tokens.forEach((t, i) => {
      if (!clients.has(t.clientId)) issue(['tokens', i, 'clientId'], `unknown OAuth client ${t.clientId}`);
    });
    s.serviceAccounts.forEach((a, i) => {
      if (!projects.has(a.projectId)) issue(['serviceAccounts', i, 'projectId'], `unknown project ${a.projectId}`);
    });
    const perAccount = new Map<string, number>();
    s.serviceAccountKeys.forEach((k, i) => {
      if (!accounts.has(k.serviceAccount)) issue(['serviceAccountKeys', i, 'serviceAccount'], `unknown service account ${k.serviceAccount}`);
      if (k.keyType === 'USER_MANAGED') perAccount.set(k.serviceAccount, (perAccount.get(k.serviceAccount) ?? 0) + 1);
    });
    // IAM allows at most 10 user-managed keys per service account (Cloud IAM docs: service account key quotas).
    for (const [account, n] of perAccount) if (n > 10) issue(['serviceAccountKeys'], `${account} has ${n} user-managed keys; IAM allows 10`);
    const own = s.serviceAccountKeys.filter((k) => k.cordonOwn);
    if (own.length > 1) issue(['serviceAccountKeys'], 'at most one key is Cordon own');
    if (own.length === 1 && !s.cordonSubject) issue(['cordonSubject'], 'Cordon own key needs the admin it impersonates');
    if (s.cordonSubject && !users.get(s.cordonSubject)?.isAdmin) issue(['cordonSubject'], `${s.cordonSubject} is not an admin user`);
  });
export type GoogleScenario = z.infer<typeof GoogleScenario>;
export type GoogleScenarioInput = z.input<typeof GoogleScenario>;

/** The Directory, Reports and IAM scopes Cordon's connector asks for (Admin SDK Directory/Reports and Cloud IAM docs). */
export const CORDON_GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user',
  'https://www.googleapis.com/auth/admin.directory.user.security',
  'https://www.googleapis.com/auth/admin.reports.audit.readonly',
  'https://www.googleapis.com/auth/cloud-platform',
] as const;

/**
 * A generated section with about `count` credentials for the `load` scenario (mass containment
 * after a vendor breach): deterministic, no randomness. Per five credentials: three OAuth grants
 * of compromised vendor clients (one user each), one ASP, one service-account key. Cordon's own key is extra.
 */
export function generateGoogleLoadSection(count: number): GoogleScenarioInput {
  const pad = (n: number, w = 6) => String(n).padStart(w, '0');
  const at = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString();
  const hex40 = (n: number) => n.toString(16).padStart(40, '0');
  const domain = 'load.example';
  const grants = Math.ceil((count * 3) / 5);
  const aspCount = Math.ceil(count / 5);
  const keyCount = Math.max(0, count - grants - aspCount);
  // One user per grant keeps every (user, client) pair unique, as Directory requires.
  const userCount = Math.max(1, grants);
  const users: GoogleScenarioInput['users'] = [
    { id: '100000000000000000001', primaryEmail: `admin@${domain}`, name: 'Load Admin', isAdmin: true, creationTime: at(0) },
    ...Array.from({ length: userCount }, (_, i) => ({
      id: String(200000000000000000000n + BigInt(i)),
      primaryEmail: `user${pad(i)}@${domain}`,
      name: `Load User ${i}`,
      creationTime: at(i),
    })),
  ];
  const clientCount = Math.max(1, Math.ceil(grants / 500));
  const oauthClients = Array.from({ length: clientCount }, (_, c) => ({
    clientId: `${String(300000000000 + c)}-vendor${c}.apps.googleusercontent.com`,
    name: `Vendor App ${c}`,
  }));
  const consumer = (n: number) => [{ id: `vendor-${n % 7}`, name: `Vendor integration ${n % 7}`, kind: 'integration' as const }];
  const tokens = Array.from({ length: grants }, (_, i) => ({
    id: `grant-${pad(i)}`,
    userKey: `user${pad(i)}@${domain}`,
    clientId: oauthClients[i % clientCount]!.clientId,
    scopes: ['https://www.googleapis.com/auth/drive.readonly', 'https://www.googleapis.com/auth/gmail.readonly'].slice(0, 1 + (i % 2)),
    createdAt: at(i),
    lastUsedAt: at(i + 1000),
    consumers: consumer(i),
  }));
  const asps = Array.from({ length: aspCount }, (_, i) => ({
    codeId: i + 1,
    userKey: `user${pad(i % userCount)}@${domain}`,
    name: `Legacy mail client ${i}`,
    creationTime: at(i),
    consumers: consumer(i),
  }));
  // Five keys per account: room under IAM's limit of 10 for the replacements a rotation or containment mints.
  const keysPerAccount = 5;
  const accountCount = Math.max(1, Math.ceil(keyCount / keysPerAccount));
  const projectId = 'load-project-01';
  const serviceAccounts = [
    { email: `cordon@${projectId}.iam.gserviceaccount.com`, projectId, uniqueId: '110000000000000000001', displayName: 'Cordon' },
    ...Array.from({ length: accountCount }, (_, a) => ({
      email: `ci-${pad(a, 4)}@${projectId}.iam.gserviceaccount.com`,
      projectId,
      uniqueId: String(120000000000000000000n + BigInt(a)),
      displayName: `CI deployer ${a}`,
    })),
  ];
  const serviceAccountKeys = [
    { keyId: 'c' + 'f'.repeat(39), serviceAccount: serviceAccounts[0]!.email, validAfterTime: at(0), cordonOwn: true },
    ...Array.from({ length: keyCount }, (_, k) => ({
      keyId: hex40(k + 1),
      serviceAccount: `ci-${pad(Math.floor(k / keysPerAccount), 4)}@${projectId}.iam.gserviceaccount.com`,
      validAfterTime: at(k),
      consumers: [{ id: `pipeline-${k % 13}`, name: `CI pipeline ${k % 13}`, kind: 'pipeline' as const }],
    })),
  ];
  return {
    customer: { id: 'C0load0001', domain },
    users,
    oauthClients,
    tokens,
    asps,
    projects: [{ projectId, projectNumber: '400000000001', iamAdmins: [serviceAccounts[0]!.email, `admin@${domain}`] }],
    serviceAccounts,
    serviceAccountKeys,
    domainWideDelegation: [{ clientId: serviceAccounts[0]!.uniqueId, scopes: [...CORDON_GOOGLE_SCOPES] }],
    cordonSubject: `admin@${domain}`,
  };
}
