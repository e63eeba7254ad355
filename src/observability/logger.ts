import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout, one object per event, as log collectors expect. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'cairn' }, timestamp: pino.stdTimeFunctions.isoTime }, destination as never);
}
