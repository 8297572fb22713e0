// The salesforce section of a scenario file: one org with its users, connected apps, OAuth refresh-token
// grants (the rows of the OauthToken object), sessions (AuthSession; an OAuth access token *is* a session)
// and login history. Pure zod, plus the deterministic generator of the `load` scenario's section.
import { z } from 'zod';
import { AuditSeed } from '../core/audit-log.ts';
import { Consumer, PrincipalStatus, PrincipalType } from '../core/types.ts';

/** Salesforce record ids: a 3-character key prefix, then 12 (15-char id) or 15 (18-char id) characters. */
const sfId = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$`), `a ${what} id starts with ${prefix} and has 15 or 18 characters`);

const isoDateTime = z.iso.datetime({ offset: true });

export const SalesforceUser = z
  .object({
    id: sfId('005', 'User'),
    username: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'a Salesforce username looks like an email address'),
    name: z.string().min(1),
    email: z.string().optional(),
    /** Cordon's principal type; decides the default profile (integration users get an API-only profile). */
    type: PrincipalType.default('user'),
    /** active = IsActive and not frozen; suspended = UserLogin.IsFrozen; offboarded = IsActive false. */
    status: PrincipalStatus.default('active'),
    /** Profile.Name; defaults from `type`. */
    profile: z.string().optional(),
    /** Holds Manage Users + Customize Application: sees every user's OauthToken/AuthSession rows, may freeze users. */
    admin: z.boolean().default(false),
    createdDate: isoDateTime.optional(),
    lastLoginDate: isoDateTime.optional(),
  })
  .strict();
export type SalesforceUser = z.infer<typeof SalesforceUser>;

/** A dotted IPv4 address (profile login IP ranges are IPv4 or IPv6 on a real org; the emulator models IPv4). */
const ipv4 = z.string().regex(/^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/, 'an IPv4 address like 192.0.2.10');

/** One entry of a profile's login IP ranges (Metadata API: Profile.loginIpRanges, ProfileLoginIpRange). */
export const SalesforceLoginIpRange = z.object({ startAddress: ipv4, endAddress: ipv4, description: z.string().optional() }).strict();
export type SalesforceLoginIpRange = z.infer<typeof SalesforceLoginIpRange>;

/**
 * A profile with its login IP ranges. Profiles users name but this list leaves out exist with no ranges
 * (any address may log in). `fullName` is the Metadata API name; standard profiles have their own
 * (System Administrator is `Admin`), custom ones default to their Name.
 */
export const SalesforceProfile = z
  .object({
    name: z.string().min(1),
    fullName: z.string().min(1).optional(),
    loginIpRanges: z.array(SalesforceLoginIpRange).default([]),
  })
  .strict();
export type SalesforceProfile = z.infer<typeof SalesforceProfile>;

export const SalesforceConnectedApp = z
  .object({
    id: sfId('0H4', 'ConnectedApplication'),
    name: z.string().min(1),
    /** The consumer key (OAuth client_id). Not readable through the API, like on a real org. */
    consumerKey: z.string().min(8),
    /** "Admin approved users are pre-authorized": only `approvedUserIds` may use the JWT bearer flow. */
    adminApprovedUsersOnly: z.boolean().default(true),
    approvedUserIds: z.array(sfId('005', 'User')).default([]),
    /** PEM public key of the certificate uploaded for the JWT bearer flow (Cordon's own app gets one generated). */
    certificatePem: z.string().optional(),
    /**
     * OAuth policy "IP Relaxation" (Metadata API: ConnectedAppOauthPolicy.ipRelaxation): ENFORCE (the default)
     * makes the token endpoint honour the user's profile login IP ranges; BYPASS ("Relax IP restrictions") lets
     * the app's users in from anywhere. ENFORCE_ACTIVATED_DEVICES is treated as BYPASS (no device activation here).
     */
    ipRelaxation: z.enum(['ENFORCE', 'BYPASS', 'ENFORCE_ACTIVATED_DEVICES']).default('ENFORCE'),
  })
  .strict();
export type SalesforceConnectedApp = z.infer<typeof SalesforceConnectedApp>;

/** One refresh-token grant: a row of OauthToken. */
export const SalesforceOauthToken = z
  .object({
    /** The scenario's handle for this grant (OauthToken.Id is always null on a real org); shows in the call log. */
    id: z.string().min(1),
    appId: sfId('0H4', 'ConnectedApplication'),
    userId: sfId('005', 'User'),
    scopes: z.array(z.string()).default(['api', 'refresh_token']),
    createdDate: isoDateTime,
    lastUsedDate: isoDateTime.optional(),
    useCount: z.number().int().min(0).default(0),
    consumers: z.array(Consumer).default([]),
    /** Fixture value of the refresh token (a drill's "leaked value"); derived from `id` when omitted. */
    refreshToken: z.string().min(16).optional(),
  })
  .strict();
export type SalesforceOauthToken = z.infer<typeof SalesforceOauthToken>;

export const SalesforceSession = z
  .object({
    id: sfId('0Ak', 'AuthSession'),
    userId: sfId('005', 'User'),
    sessionType: z.enum(['UI', 'API', 'Oauth2', 'Content', 'Visualforce', 'SubstituteUser']).default('Oauth2'),
    loginType: z.string().default('Remote Access 2.0'),
    /** The connected app an Oauth2 session was issued to. */
    appId: sfId('0H4', 'ConnectedApplication').optional(),
    /** The refresh-token grant the access token was minted from: revoking the grant ends this session. */
    oauthTokenId: z.string().optional(),
    createdDate: isoDateTime,
    sourceIp: z.string().default('203.0.113.10'),
    numSecondsValid: z.number().int().positive().default(7200),
    consumers: z.array(Consumer).default([]),
    /** Fixture value of the access token (= the session id); derived from `id` when omitted. */
    accessToken: z.string().min(16).optional(),
  })
  .strict();
export type SalesforceSession = z.infer<typeof SalesforceSession>;

/** A LoginHistory row: what the org's own audit shows of who logged in from where with which app. */
export const SalesforceAuditEvent = z
  .object({
    at: isoDateTime,
    userId: sfId('005', 'User'),
    loginType: z.string().default('Remote Access 2.0'),
    application: z.string().default('Browser'),
    sourceIp: z.string().default('203.0.113.10'),
    status: z.string().default('Success'),
    apiType: z.string().optional(),
  })
  .strict();
export type SalesforceAuditEvent = z.infer<typeof SalesforceAuditEvent>;

/** A seeded audit row: a LoginHistory or (with Event Monitoring) LoginEvent record as a SOQL query returns it, without `attributes`. */
export const SalesforceAuditSeed = AuditSeed.extend({ object: z.enum(['LoginHistory', 'LoginEvent']) }).strict();
export type SalesforceAuditSeed = z.infer<typeof SalesforceAuditSeed>;

export const SalesforceScenario = z
  .object({
    org: z
      .object({ id: sfId('00D', 'Organization'), name: z.string().min(1) })
      .strict(),
    /** DailyApiRequests Max; Sforce-Limit-Info counts against it and 403 REQUEST_LIMIT_EXCEEDED answers past it. */
    apiRequestLimit: z.number().int().positive().default(15000),
    apiRequestsUsed: z.number().int().min(0).default(0),
    users: z.array(SalesforceUser).default([]),
    profiles: z.array(SalesforceProfile).default([]),
    connectedApps: z.array(SalesforceConnectedApp).default([]),
    oauthTokens: z.array(SalesforceOauthToken).default([]),
    sessions: z.array(SalesforceSession).default([]),
    auditEvents: z.array(SalesforceAuditEvent).default([]),
    /** Wire-shaped LoginHistory / LoginEvent rows (`LoginTime` / `EventDate` in Salesforce's datetime format), served as they are. */
    auditRecords: z.array(SalesforceAuditSeed).default([]),
    /** The org has Event Monitoring: LoginEvent is queryable (without it, INVALID_TYPE). */
    eventMonitoring: z.boolean().default(false),
    /** Cordon's own identity: its JWT-bearer connected app and the admin user it logs in as (design.md I6). */
    cordon: z.object({ userId: sfId('005', 'User'), appId: sfId('0H4', 'ConnectedApplication') }).strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const users = new Set(s.users.map((u) => u.id));
    const apps = new Set(s.connectedApps.map((a) => a.id));
    const grants = new Set(s.oauthTokens.map((t) => t.id));
    const need = (ok: boolean, path: (string | number)[], message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path, message });
    };
    need(users.has(s.cordon.userId), ['cordon', 'userId'], `no user ${s.cordon.userId}`);
    need(apps.has(s.cordon.appId), ['cordon', 'appId'], `no connected app ${s.cordon.appId}`);
    need(users.size === s.users.length, ['users'], 'user ids must be unique');
    need(grants.size === s.oauthTokens.length, ['oauthTokens'], 'oauthToken ids must be unique');
    need(new Set(s.profiles.map((p) => p.name)).size === s.profiles.length, ['profiles'], 'profile names must be unique');
    s.oauthTokens.forEach((t, i) => {
      need(users.has(t.userId), ['oauthTokens', i, 'userId'], `no user ${t.userId}`);
      need(apps.has(t.appId), ['oauthTokens', i, 'appId'], `no connected app ${t.appId}`);
    });
    s.sessions.forEach((x, i) => {
      need(users.has(x.userId), ['sessions', i, 'userId'], `no user ${x.userId}`);
      if (x.appId) need(apps.has(x.appId), ['sessions', i, 'appId'], `no connected app ${x.appId}`);
      if (x.oauthTokenId) need(grants.has(x.oauthTokenId), ['sessions', i, 'oauthTokenId'], `no oauthToken ${x.oauthTokenId}`);
    });
    s.auditEvents.forEach((e, i) => need(users.has(e.userId), ['auditEvents', i, 'userId'], `no user ${e.userId}`));
  });
export type SalesforceScenario = z.infer<typeof SalesforceScenario>;

/** Pads a counter into a Salesforce-looking 18-character id with the given key prefix. */
export function salesforceId(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(12, '0')}AAA`;
}

/**
 * The `load` scenario's section: `count` refresh-token grants of a compromised vendor app spread over
 * integration users (10 grants each); each user's grants feed one consumer (the pipeline that runs as that
 * user). Deterministic: same count, same section.
 */
export function generateSalesforceLoadSection(count: number): SalesforceScenario {
  const base = Date.UTC(2025, 6, 1);
  const day = 86_400_000;
  const at = (n: number) => new Date(base + (n % 400) * (day / 4)).toISOString();
  const userCount = Math.max(1, Math.ceil(count / 10));
  const cordonUserId = salesforceId('005', 0);
  const users: z.input<typeof SalesforceUser>[] = [
    { id: cordonUserId, username: 'cordon-ir@load.example.com', name: 'Cordon Incident Response', type: 'integration_user', admin: true },
  ];
  for (let i = 1; i <= userCount; i++) {
    users.push({ id: salesforceId('005', i), username: `integration-${i}@load.example.com`, name: `Integration User ${i}`, type: 'integration_user' });
  }
  const vendorApp = salesforceId('0H4', 2);
  const oauthTokens: z.input<typeof SalesforceOauthToken>[] = [];
  for (let i = 0; i < count; i++) {
    const user = 1 + (i % userCount);
    oauthTokens.push({
      id: `load-grant-${i}`,
      appId: vendorApp,
      userId: salesforceId('005', user),
      createdDate: at(i),
      lastUsedDate: at(i + 7),
      useCount: i % 97,
      consumers: [{ id: `load-consumer-${user}`, name: `Load consumer ${user}`, kind: 'integration', sink: { type: 'local', name: `load-${user}` } }],
    });
  }
  return SalesforceScenario.parse({
    org: { id: salesforceId('00D', 1), name: 'Load Test Org' },
    apiRequestLimit: 1_000_000,
    users,
    connectedApps: [
      { id: salesforceId('0H4', 1), name: 'Cordon Incident Response', consumerKey: '3MVG9LOADCORDONCONSUMERKEY', approvedUserIds: users.map((u) => u.id) },
      { id: vendorApp, name: 'Load Vendor Sync', consumerKey: '3MVG9LOADVENDORCONSUMERKEY', adminApprovedUsersOnly: false },
    ],
    oauthTokens,
    cordon: { userId: cordonUserId, appId: salesforceId('0H4', 1) },
  });
}
