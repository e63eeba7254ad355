import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../observability/logger.js';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs logs, as errors, answers it then retries: the normal course of a rebalance (a heartbeat
 * answered "rebalancing", a coordinator still loading), and partitions between leaders (a topic
 * just created by another node, a leader election). Only what outlasts its retries is an error,
 * and that reaches Cairn's own code, which logs it.
 */
const ROUTINE =
  /rebalanc|coordinator is loading|not aware of this member|not the correct coordinator|not the leader for that topic-partition|does not host this topic-partition|topic creation errors|already exists/i;

/** A kafkajs client that logs through the node's pino logger, with routine rebalance chatter at info. */
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
        const routine = ROUTINE.test(`${message} ${String(fields.error ?? '')}`);
        kafkaLogger[routine ? 'info' : (LEVELS[level] ?? 'info')](fields, message);
      },
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/**
 * Runs a start-up step again while Kafka answers with a retriable error: a topic that another
 * node has just created is, for a moment, unknown to parts of the broker.
 */
export async function retryWhileSettling<T>(step: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (!settling(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A retriable Kafka error, also when kafkajs gave up its own retries on one (it wraps it as `cause`). */
function settling(error: unknown): boolean {
  const e = error as { retriable?: unknown; cause?: { retriable?: unknown } } | undefined;
  return e?.retriable === true || e?.cause?.retriable === true;
}
