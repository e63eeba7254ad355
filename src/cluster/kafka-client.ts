import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../observability/logger.js';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client that logs through the node's pino logger (kafkajs's chatty info lines at debug). */
export function createKafkaClient(options: { readonly brokers: readonly string[]; readonly clientId: string; readonly logger: Logger }): Kafka {
  const kafkaLogger = options.logger.child({ component: 'kafka' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...fields } = log;
        kafkaLogger[LEVELS[level] ?? 'info'](fields, message);
      },
    retry: { initialRetryTime: 100, retries: 8 },
  });
}
