// A refresh after the parent session or grant should have ended (sessionEndsAt), beyond sessionGraceMinutes of
// clock slack: someone holds a refresh token that outlived its session.
import { type Signal } from './signal.ts';

export const refreshAfterSessionEnd: Signal = {
  name: 'refresh_after_session_end',
  category: 'session_refresh',
  drift: false,
  evaluate({ event, at, policy }) {
    if (event.action !== 'refresh' || !event.sessionEndsAt) return undefined;
    const ended = Date.parse(event.sessionEndsAt);
    if (at <= ended + policy.sessionGraceMinutes * 60_000) return undefined;
    const hours = Math.round((at - ended) / 3_600_000);
    return {
      signal: 'refresh_after_session_end',
      category: 'session_refresh',
      subject: event.sessionId ?? event.sessionEndsAt,
      weight: 60,
      text: `refreshed ${hours} h after its session${event.sessionId ? ` ${event.sessionId}` : ''} should have ended (${event.sessionEndsAt})`,
    };
  },
};
