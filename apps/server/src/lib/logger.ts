import { pino, type Logger } from 'pino';

export type { Logger };

/** The process logger. KLAXON_LOG_LEVEL sets the level (default info; silent in tests). */
export function createLogger(level = process.env.KLAXON_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: undefined });
}
