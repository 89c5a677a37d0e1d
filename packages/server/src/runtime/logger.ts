import { pino } from 'pino';

/** The logging surface the runtime needs; a pino logger fits it. Fields first, then the message. */
export interface Logger {
  debug(fields: object, msg?: string): void;
  info(fields: object, msg?: string): void;
  warn(fields: object, msg?: string): void;
  error(fields: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

let root: Logger | undefined;

/** The process-wide default logger (level from SHIPYARD_LOG_LEVEL, default info). */
export function defaultLogger(): Logger {
  root ??= pino({ name: 'shipyard', level: process.env.SHIPYARD_LOG_LEVEL ?? 'info' });
  return root;
}
