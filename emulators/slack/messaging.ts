// chat.postMessage, chat.update, chat.postEphemeral, conversations.replies and views.open (Slack Web API
// method docs): the approval messages and modals of Cordon's Slack app, stored so tests can read them.
import type { Router } from '../core/http.ts';
import type { Caller, PostedMessage, SlackTenantState } from './state.ts';
import { appIdOf, bool, botIdOf, jsonArg, page, required, SlackMethodError, str, TIER, webApiMethod, type Args } from './web-api.ts';

export function addMessagingRoutes(router: Router, state: SlackTenantState): void {
  const method = webApiMethod(router, state);

  const channelFor = (caller: Caller, raw: string): string => {
    const byId = state.channels.get(raw);
    if (byId) {
      if (byId.archived) throw new SlackMethodError('is_archived');
      return byId.id;
    }
    const byName = [...state.channels.values()].find((c) => c.name === raw.replace(/^#/, '') && c.teamId === caller.team.id);
    if (byName) {
      if (byName.archived) throw new SlackMethodError('is_archived');
      return byName.id;
    }
    // A user id as channel posts to the app's DM with that user.
    const user = state.users.get(raw);
    if (user && !user.bot) return `D${user.id.slice(1)}`;
    throw new SlackMethodError('channel_not_found');
  };

  const blocksOf = (args: Args): unknown[] | undefined => {
    const blocks = jsonArg(args, 'blocks', 'invalid_blocks');
    if (blocks === undefined) return undefined;
    if (!Array.isArray(blocks) || blocks.some((b) => !b || typeof b !== 'object' || typeof (b as { type?: unknown }).type !== 'string')) {
      throw new SlackMethodError('invalid_blocks');
    }
    if (blocks.length > 50) throw new SlackMethodError('msg_blocks_too_long');
    return blocks;
  };

  /**
   * Message metadata (Slack docs: message metadata): a JSON object `{event_type, event_payload}`.
   * Not JSON: `invalid_metadata_format`; JSON of another shape: `invalid_metadata_schema`.
   */
  const metadataOf = (args: Args): PostedMessage['metadata'] => {
    const raw = args.metadata;
    if (raw === undefined || raw === '') return undefined;
    let parsed: unknown = raw;
    if (typeof raw === 'string') {
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new SlackMethodError('invalid_metadata_format');
      }
    }
    const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
    if (!isObject(parsed) || typeof parsed.event_type !== 'string' || !parsed.event_type || !isObject(parsed.event_payload)) throw new SlackMethodError('invalid_metadata_schema');
    return { event_type: parsed.event_type, event_payload: parsed.event_payload };
  };

  const renderMessage = (m: PostedMessage) => ({
    type: 'message',
    text: m.text,
    user: m.user,
    ...(m.botId ? { bot_id: m.botId } : {}),
    app_id: m.appId,
    team: m.team,
    ts: m.ts,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.metadata ? { metadata: m.metadata } : {}),
    ...(m.edited ? { edited: m.edited } : {}),
  });

  /** Stores a message as the caller posted it (chat.postMessage and chat.postEphemeral alike). */
  const postMessage = (
    caller: Parameters<typeof appIdOf>[0],
    m: { channel: string; text: string; blocks: PostedMessage['blocks'] | undefined; threadTs: string | undefined } & Pick<Partial<PostedMessage>, 'metadata' | 'ephemeralTo'>,
  ): PostedMessage => {
    const botId = botIdOf(caller);
    const message: PostedMessage = {
      channel: m.channel,
      ts: state.nextTs(),
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.threadTs ? { threadTs: m.threadTs } : {}),
      user: caller.user.id,
      ...(botId ? { botId } : {}),
      appId: appIdOf(caller) ?? '',
      team: caller.team.id,
      ...(m.metadata ? { metadata: m.metadata } : {}),
      ...(m.ephemeralTo ? { ephemeralTo: m.ephemeralTo } : {}),
      previous: [],
      postedWith: caller.credentialId,
    };
    state.messages.push(message);
    return message;
  };

  method('chat.postMessage', { perMinute: 60, scope: 'chat:write' }, (args, caller, call) => {
    const channel = channelFor(caller, required(args, 'channel'));
    const text = str(args, 'text') ?? '';
    const blocks = blocksOf(args);
    if (!text && !blocks) throw new SlackMethodError('no_text');
    const threadTs = str(args, 'thread_ts');
    if (threadTs && !state.messages.some((m) => m.channel === channel && m.ts === threadTs && !m.ephemeralTo)) throw new SlackMethodError('thread_not_found');
    const metadata = metadataOf(args);
    const message = postMessage(caller, { channel, text, blocks, threadTs, ...(metadata ? { metadata } : {}) });
    call.target = `${channel}/${message.ts}`;
    return { channel, ts: message.ts, message: renderMessage(message) };
  });

  method('chat.update', { perMinute: TIER[3], scope: 'chat:write' }, (args, caller, call) => {
    const channel = channelFor(caller, required(args, 'channel'));
    const ts = required(args, 'ts');
    const message = state.messages.find((m) => m.channel === channel && m.ts === ts && !m.ephemeralTo);
    call.target = `${channel}/${ts}`;
    if (!message) throw new SlackMethodError('message_not_found');
    // Only the author may edit (a bot edits its own messages).
    if (message.user !== caller.user.id) throw new SlackMethodError('cant_update_message');
    const text = str(args, 'text');
    const blocks = blocksOf(args);
    if (text === undefined && blocks === undefined) throw new SlackMethodError('no_text');
    message.previous.push({ text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) });
    if (text !== undefined) message.text = text;
    if (blocks !== undefined) message.blocks = blocks;
    message.edited = { user: caller.user.id, ts: state.nextTs() };
    return { channel, ts, text: message.text, message: renderMessage(message) };
  });

  method('chat.postEphemeral', { perMinute: TIER[4], scope: 'chat:write' }, (args, caller, call) => {
    const channel = channelFor(caller, required(args, 'channel'));
    const userId = required(args, 'user');
    const target = state.users.get(userId);
    if (!target) throw new SlackMethodError('user_not_found');
    if (target.status !== 'active') throw new SlackMethodError('user_not_in_channel');
    const text = str(args, 'text') ?? '';
    const blocks = blocksOf(args);
    if (!text && !blocks) throw new SlackMethodError('no_text');
    const threadTs = str(args, 'thread_ts');
    const message = postMessage(caller, { channel, text, blocks, threadTs, ephemeralTo: userId });
    call.target = `${channel}/${userId}`;
    return { message_ts: message.ts };
  });

  // A thread: its parent then the replies, oldest first (Slack Web API docs: conversations.replies). `ts` may
  // name the parent or any reply; a message without replies comes back alone. The scope depends on the
  // conversation type (channels:/groups:/im:history). `metadata` only with `include_all_metadata`.
  // Cursor pagination (limit up to 1000); `oldest`/`latest` bound the ts, `inclusive` keeps the bounds.
  method('conversations.replies', { perMinute: TIER[3] }, (args, caller, call) => {
    const channel = required(args, 'channel');
    const ts = required(args, 'ts');
    const known = state.channels.get(channel);
    const isDm = channel.startsWith('D') && state.messages.some((m) => m.channel === channel);
    if (!known && !isDm) throw new SlackMethodError('channel_not_found');
    if (known && known.teamId !== caller.team.id) throw new SlackMethodError('channel_not_found');
    const needed = channel.startsWith('C') ? 'channels:history' : channel.startsWith('G') ? 'groups:history' : 'im:history';
    if (caller.scopes !== 'all' && !caller.scopes.includes(needed)) throw new SlackMethodError('missing_scope', { needed, provided: caller.scopes.join(',') });
    call.target = `${channel}/${ts}`;
    const visible = state.messages.filter((m) => m.channel === channel && !m.ephemeralTo);
    const named = visible.find((m) => m.ts === ts);
    if (!named) throw new SlackMethodError('thread_not_found');
    const parentTs = named.threadTs ?? named.ts;
    const oldest = str(args, 'oldest');
    const latest = str(args, 'latest');
    const inclusive = bool(args, 'inclusive');
    const within = (t: string) =>
      (oldest === undefined || (inclusive ? Number(t) >= Number(oldest) : Number(t) > Number(oldest))) && (latest === undefined || (inclusive ? Number(t) <= Number(latest) : Number(t) < Number(latest)));
    const thread = visible.filter((m) => m.ts === parentTs || m.threadTs === parentTs).sort((a, b) => Number(a.ts) - Number(b.ts));
    const replies = thread.filter((m) => m.ts !== parentTs);
    const withMetadata = bool(args, 'include_all_metadata');
    const render = (m: PostedMessage) => {
      const { metadata: _dropped, ...rest } = renderMessage(m);
      const base = withMetadata ? renderMessage(m) : rest;
      if (m.ts !== parentTs) return { ...base, thread_ts: parentTs, parent_user_id: thread.find((x) => x.ts === parentTs)?.user };
      if (!replies.length) return base;
      const users = [...new Set(replies.map((r) => r.user))];
      return { ...base, thread_ts: parentTs, reply_count: replies.length, reply_users_count: users.length, latest_reply: replies.at(-1)!.ts, reply_users: users };
    };
    const limitRaw = str(args, 'limit');
    const { slice, next } = page(thread.filter((m) => within(m.ts)), { ...args, limit: limitRaw ?? '1000' });
    return { messages: slice.map(render), has_more: Boolean(next), response_metadata: { next_cursor: next } };
  });

  method('views.open', { perMinute: TIER[4] }, (args, caller, call) => {
    const triggerId = str(args, 'trigger_id');
    const interactivityPointer = str(args, 'interactivity_pointer');
    if (!triggerId && !interactivityPointer) throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
    const view = jsonArg(args, 'view', 'invalid_arguments');
    if (!view || typeof view !== 'object' || Array.isArray(view)) {
      throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
    }
    const v = view as Record<string, unknown>;
    if (v.type !== 'modal' && v.type !== 'home') throw new SlackMethodError('invalid_arguments', { response_metadata: { messages: ['[ERROR] must be a valid enum value [json-pointer:/view/type]'] } });
    const id = state.nextId('V');
    state.views.push({
      id,
      triggerId: (triggerId ?? interactivityPointer)!,
      view: v,
      appId: appIdOf(caller) ?? '',
      ...(botIdOf(caller) ? { botId: botIdOf(caller)! } : {}),
      team: caller.team.id,
      openedWith: caller.credentialId,
      openedAt: new Date().toISOString(),
    });
    call.target = id;
    return {
      view: {
        id,
        team_id: caller.team.id,
        type: v.type,
        blocks: v.blocks ?? [],
        private_metadata: v.private_metadata ?? '',
        callback_id: v.callback_id ?? '',
        state: { values: {} },
        hash: `${Math.floor(Date.now() / 1000)}.${id}`,
        title: v.title,
        ...(v.submit ? { submit: v.submit } : {}),
        ...(v.close ? { close: v.close } : {}),
        clear_on_close: false,
        notify_on_close: false,
        root_view_id: id,
        app_id: appIdOf(caller) ?? '',
        external_id: v.external_id ?? '',
        bot_id: botIdOf(caller) ?? '',
      },
    };
  });
}
