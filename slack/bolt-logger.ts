// Bolt's Logger interface on top of Cordon's logger, so Bolt's own lines are JSON and redacted too.
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../logging/logger.ts';

export function boltLogger(log: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  let name = 'bolt';
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  const on = (l: LogLevel) => [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR].indexOf(l) >= [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR].indexOf(level);
  return {
    debug: (...a) => on(LogLevel.DEBUG) && log.debug(text(a), { component: name }),
    info: (...a) => on(LogLevel.INFO) && log.info(text(a), { component: name }),
    warn: (...a) => on(LogLevel.WARN) && log.warn(text(a), { component: name }),
    error: (...a) => on(LogLevel.ERROR) && log.error(text(a), { component: name }),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: (n) => void (name = n),
  };
}
