// The slack section of a scenario file: one Enterprise Grid org (or a lone workspace when
// `enterprise` is absent), its users and bots, installed apps, tokens, browser/app sessions and
// audit log entries. Pure zod. Shapes follow the Slack Web API method docs
// and the Audit Logs API docs.
import { z } from 'zod';
import { AuditSeed } from '../core/audit-log.ts';
import { Consumer } from '../core/types.ts';

const SlackId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[A-Z0-9]{2,}$`), `a Slack id starting with ${prefix}`);
const IsoTime = z.iso.datetime({ offset: true });

export const SlackEnterprise = z.object({ id: SlackId('E'), name: z.string().min(1), domain: z.string().min(1) }).strict();

export const SlackTeam = z.object({ id: SlackId('T'), name: z.string().min(1), domain: z.string().min(1) }).strict();

export const SlackUser = z
  .object({
    /** `U…` for workspace users, `W…` for Enterprise Grid org users (Slack's own convention). */
    id: z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id starts with U or W'),
    teamId: SlackId('T'),
    name: z.string().min(1),
    realName: z.string().default(''),
    email: z.email().optional(),
    /** Slack has no suspension: suspended and offboarded users are both deactivated (`deleted: true`). */
    status: z.enum(['active', 'suspended', 'offboarded']).default('active'),
    role: z.enum(['member', 'admin', 'owner', 'primary_owner']).default('member'),
    /** A bot user: the app's bot (`profile.bot_id`, `profile.api_app_id` in users.info). */
    bot: z.object({ botId: SlackId('B'), appId: SlackId('A') }).strict().optional(),
  })
  .strict();

export const SlackAppScope = z
  .object({ name: z.string().min(1), tokenType: z.enum(['bot', 'user']), sensitive: z.boolean().default(false) })
  .strict();

export const SlackApp = z
  .object({
    id: SlackId('A'),
    name: z.string().min(1),
    description: z.string().default(''),
    /** Workspaces the app is installed in; admin.apps.uninstall removes entries (and kills the tokens). */
    installedTeamIds: z.array(SlackId('T')),
    /** Listed by admin.apps.approved.list. */
    approved: z.boolean().default(true),
    approvedBy: z.string().optional(),
    approvedAt: IsoTime.optional(),
    scopes: z.array(SlackAppScope).default([]),
    isInternal: z.boolean().default(false),
  })
  .strict();

export const SlackToken = z
  .object({
    /** Emulator-side id (Slack itself exposes none); the call log and counts use it. */
    id: z.string().min(1),
    /** The token value the SDK sends. `xoxb-` for bots, `xoxp-` (or rotating `xoxe.xoxp-`) for users. */
    value: z.string().min(12),
    type: z.enum(['bot', 'user']),
    /** The user the token acts as: the bot user for bot tokens. */
    userId: z.string().min(1),
    teamId: SlackId('T'),
    appId: SlackId('A'),
    scopes: z.array(z.string().min(1)),
    createdAt: IsoTime,
    lastUsedAt: IsoTime.optional(),
    /** Seeded as already revoked (answers `token_revoked`). */
    revoked: z.boolean().default(false),
    consumers: z.array(Consumer).default([]),
    /** Cordon's own connector credential (design.md I6): connection() hands it to the client under test. */
    cordonOwn: z.boolean().default(false),
  })
  .strict()
  .superRefine((t, ctx) => {
    const ok = t.type === 'bot' ? t.value.startsWith('xoxb-') : /^(xoxp-|xoxe\.xoxp-)/.test(t.value);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['value'], message: `a ${t.type} token value starts with ${t.type === 'bot' ? 'xoxb-' : 'xoxp- or xoxe.xoxp-'}` });
  });

const SessionDevice = z
  .object({
    device_hardware: z.string().default(''),
    os: z.string().default(''),
    os_version: z.string().default(''),
    slack_client_version: z.string().default(''),
    ip: z.string().default(''),
  })
  .strict();

export const SlackSession = z
  .object({
    /** Slack session ids are integers (admin.users.session.list). */
    id: z.number().int().positive(),
    userId: z.string().min(1),
    teamId: SlackId('T'),
    client: z.enum(['web', 'desktop', 'mobile']).default('web'),
    createdAt: IsoTime,
    created: SessionDevice.default({ device_hardware: '', os: '', os_version: '', slack_client_version: '', ip: '' }),
    recent: SessionDevice.optional(),
    /** The session's `xoxc-` client token, when the scenario lets a stolen session be replayed against the API. */
    value: z.string().startsWith('xoxc-').optional(),
    consumers: z.array(Consumer).default([]),
  })
  .strict();

export const SlackChannel = z
  .object({
    id: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel id starts with C, G or D'),
    name: z.string().min(1),
    teamId: SlackId('T'),
    archived: z.boolean().default(false),
  })
  .strict();

/** Rendered into the Audit Logs API shape (`actor`, `entity`, `context`) by the emulator. */
export const SlackAuditEvent = z
  .object({
    id: z.string().min(1),
    at: IsoTime,
    action: z.string().min(1),
    actorUserId: z.string().min(1),
    entity: z.object({ type: z.enum(['user', 'app', 'workspace', 'channel']), id: z.string().min(1) }).strict(),
    ip: z.string().optional(),
    ua: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const SlackScenario = z
  .object({
    /** Absent = a single workspace without Enterprise Grid: admin.* and the Audit Logs API answer feature_not_enabled. */
    enterprise: SlackEnterprise.optional(),
    teams: z.array(SlackTeam).min(1),
    users: z.array(SlackUser).default([]),
    apps: z.array(SlackApp).default([]),
    tokens: z.array(SlackToken).default([]),
    sessions: z.array(SlackSession).default([]),
    channels: z.array(SlackChannel).default([]),
    auditEvents: z.array(SlackAuditEvent).default([]),
    /** Audit Logs API entries as GET /audit/v1/logs returns them (`id`, `date_create` in s, `actor`, `entity`, `context`, `details`), served as they are. */
    auditRecords: z.array(AuditSeed).default([]),
    /**
     * Opt-in per-method rate limits by Slack's tiers (per app per workspace; Audit Logs org-wide),
     * answering 429 + Retry-After when exceeded. `timeScale` shrinks the one-minute window
     * (60 = one second) so load runs are paced like production without taking as long. Absent = off.
     */
    rateLimits: z.object({ timeScale: z.number().positive().max(3600).default(1) }).strict().optional(),
    /** Signing secret of Cordon's own Slack app, for signed interaction callbacks (Slack docs: verifying requests from Slack). */
    signingSecret: z.string().min(8).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const teams = new Set(s.teams.map((t) => t.id));
    const users = new Map(s.users.map((u) => [u.id, u]));
    const apps = new Set(s.apps.map((a) => a.id));
    const unique = (what: string, ids: (string | number)[]) => {
      const seen = new Set<string | number>();
      ids.forEach((id, i) => {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [what, i, 'id'], message: `duplicate ${what} id ${id}` });
        seen.add(id);
      });
    };
    unique('users', s.users.map((u) => u.id));
    unique('apps', s.apps.map((a) => a.id));
    unique('tokens', s.tokens.map((t) => t.id));
    unique('sessions', s.sessions.map((x) => x.id));
    const values = new Set<string>();
    s.users.forEach((u, i) => {
      if (!teams.has(u.teamId)) ctx.addIssue({ code: 'custom', path: ['users', i, 'teamId'], message: `unknown team ${u.teamId}` });
      if (u.bot && !apps.has(u.bot.appId)) ctx.addIssue({ code: 'custom', path: ['users', i, 'bot', 'appId'], message: `unknown app ${u.bot.appId}` });
    });
    s.apps.forEach((a, i) =>
      a.installedTeamIds.forEach((t, j) => {
        if (!teams.has(t)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'installedTeamIds', j], message: `unknown team ${t}` });
      }),
    );
    s.tokens.forEach((t, i) => {
      const owner = users.get(t.userId);
      if (!owner) ctx.addIssue({ code: 'custom', path: ['tokens', i, 'userId'], message: `unknown user ${t.userId}` });
      else if (t.type === 'bot' && owner.bot?.appId !== t.appId)
        ctx.addIssue({ code: 'custom', path: ['tokens', i, 'userId'], message: `a bot token's user must be the bot user of app ${t.appId}` });
      if (!apps.has(t.appId)) ctx.addIssue({ code: 'custom', path: ['tokens', i, 'appId'], message: `unknown app ${t.appId}` });
      if (!teams.has(t.teamId)) ctx.addIssue({ code: 'custom', path: ['tokens', i, 'teamId'], message: `unknown team ${t.teamId}` });
      if (values.has(t.value)) ctx.addIssue({ code: 'custom', path: ['tokens', i, 'value'], message: 'duplicate token value' });
      values.add(t.value);
    });
    s.sessions.forEach((x, i) => {
      if (!users.has(x.userId)) ctx.addIssue({ code: 'custom', path: ['sessions', i, 'userId'], message: `unknown user ${x.userId}` });
      if (x.value) {
        if (values.has(x.value)) ctx.addIssue({ code: 'custom', path: ['sessions', i, 'value'], message: 'duplicate token value' });
        values.add(x.value);
      }
    });
  });
export type SlackScenario = z.infer<typeof SlackScenario>;
export type SlackScenarioInput = z.input<typeof SlackScenario>;

/**
 * A generated section with `count` credentials for the `load` scenario (mass containment after a
 * vendor breach): deterministic, no randomness. Half bot tokens of many vendor apps, a quarter
 * user tokens, a quarter sessions; one org admin token is Cordon's own.
 */
export function generateSlackLoadSection(count: number): SlackScenarioInput {
  const pad = (n: number, w = 6) => String(n).padStart(w, '0');
  const at = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString();
  const teams = [
    { id: 'T0LOAD0001', name: 'Load Main', domain: 'load-main' },
    { id: 'T0LOAD0002', name: 'Load Sales', domain: 'load-sales' },
  ];
  const team = (n: number) => teams[n % teams.length]!.id;
  const appCount = Math.max(1, Math.ceil(count / 50));
  const apps: SlackScenarioInput['apps'] = Array.from({ length: appCount }, (_, a) => ({
    id: `A0LOAD${pad(a)}`,
    name: `Vendor App ${a}`,
    installedTeamIds: teams.map((t) => t.id),
    scopes: [
      { name: 'chat:write', tokenType: 'bot' },
      { name: 'users:read', tokenType: 'bot' },
      { name: 'channels:history', tokenType: 'user', sensitive: true },
    ],
  }));
  apps.push({
    id: 'A0CORDON01',
    name: 'Cordon',
    installedTeamIds: teams.map((t) => t.id),
    scopes: [
      { name: 'admin.users:read', tokenType: 'user' },
      { name: 'admin.users:write', tokenType: 'user' },
      { name: 'admin.apps:read', tokenType: 'user' },
      { name: 'admin.apps:write', tokenType: 'user' },
      { name: 'users:read', tokenType: 'user' },
      { name: 'auditlogs:read', tokenType: 'user' },
    ],
  });
  const users: SlackScenarioInput['users'] = [
    { id: 'W0LOADADM1', teamId: team(0), name: 'cordon-admin', realName: 'Cordon Service Admin', email: 'cordon-admin@load.example', role: 'owner' },
  ];
  const humanCount = Math.max(1, Math.ceil(count / 10));
  for (let h = 0; h < humanCount; h++) {
    users.push({ id: `W0LOADU${pad(h)}`, teamId: team(h), name: `user${h}`, realName: `Load User ${h}`, email: `user${h}@load.example`, status: h % 97 === 0 ? 'offboarded' : 'active' });
  }
  for (let a = 0; a < appCount; a++) {
    users.push({ id: `U0LOADB${pad(a)}`, teamId: team(0), name: `vendor-app-${a}`, realName: `Vendor App ${a}`, bot: { botId: `B0LOAD${pad(a)}`, appId: `A0LOAD${pad(a)}` } });
  }
  const tokens: SlackScenarioInput['tokens'] = [
    {
      id: 'tok-cordon-admin',
      value: 'xoxp-load-cordon-admin-0000000000',
      type: 'user',
      userId: 'W0LOADADM1',
      teamId: team(0),
      appId: 'A0CORDON01',
      scopes: ['admin.users:read', 'admin.users:write', 'admin.apps:read', 'admin.apps:write', 'users:read', 'auditlogs:read'],
      createdAt: at(0),
      cordonOwn: true,
    },
  ];
  const sessions: SlackScenarioInput['sessions'] = [];
  for (let i = 0; i < count; i++) {
    const slot = i % 4;
    const a = i % appCount;
    const h = i % humanCount;
    const consumers = [{ id: `load-consumer-${i % 20}`, name: `Load consumer ${i % 20}`, kind: 'integration' as const }];
    if (slot === 0 || slot === 1) {
      tokens.push({ id: `tok-load-bot-${pad(i)}`, value: `xoxb-load-${pad(i)}-${pad(a)}-bot`, type: 'bot', userId: `U0LOADB${pad(a)}`, teamId: team(0), appId: `A0LOAD${pad(a)}`, scopes: ['chat:write', 'users:read'], createdAt: at(i), consumers });
    } else if (slot === 2) {
      tokens.push({ id: `tok-load-user-${pad(i)}`, value: `xoxp-load-${pad(i)}-${pad(h)}-user`, type: 'user', userId: `W0LOADU${pad(h)}`, teamId: team(h), appId: `A0LOAD${pad(a)}`, scopes: ['channels:history'], createdAt: at(i), consumers });
    } else {
      sessions.push({ id: 100_000 + i, userId: `W0LOADU${pad(h)}`, teamId: team(h), client: (['web', 'desktop', 'mobile'] as const)[i % 3]!, createdAt: at(i) });
    }
  }
  return {
    enterprise: { id: 'E0LOAD0001', name: 'Load Org', domain: 'load-org' },
    teams,
    users,
    apps,
    tokens,
    sessions,
    channels: [{ id: 'C0LOADIR01', name: 'incident-response', teamId: team(0) }],
    auditEvents: [],
  };
}
