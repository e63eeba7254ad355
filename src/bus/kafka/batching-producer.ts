import type { Message, Producer, TopicMessages } from 'kafkajs';
import { CairnError } from '../../errors.js';

/** Kafka did not take a message (the broker is down, say): nothing of it may have been stored. */
export class BusUnavailableError extends CairnError {
  constructor(message: string, cause?: unknown) {
    super('bus-unavailable', message, { retriable: true, cause });
  }
}

interface Queued {
  readonly topic: string;
  readonly message: Message;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /** The caller has its answer (a timeout): sending would only waste the broker's time. */
  settled: boolean;
}

/** Messages per request: bus messages are small, and this keeps a request far below the broker's size limit. */
const MAX_MESSAGES_PER_REQUEST = 500;

/**
 * Sends messages in batches: everything queued while a batch is in flight goes in the next
 * request. kafkajs sends one request per send() call and an idempotent producer keeps one request
 * in flight per broker, so without this every message would wait a round trip for the previous one.
 * Each caller still learns when its own message is acknowledged by all in-sync replicas.
 */
export class BatchingProducer {
  #queue: Queued[] = [];
  #sending = false;

  constructor(
    private readonly producer: Producer,
    private readonly options: {
      /**
       * How long a caller waits for Kafka's acknowledgement before it is told the bus is
       * unavailable (retriable), ms. The message may still be stored later: command ids make
       * that harmless. Default 10 s.
       */
      readonly sendTimeoutMs?: number;
      readonly observe?: (messages: number, seconds: number) => void;
    } = {},
  ) {}

  /** Resolves once Kafka has stored the message (acks from all in-sync replicas). */
  send(topic: string, message: Message): Promise<void> {
    const timeoutMs = this.options.sendTimeoutMs ?? 10_000;
    return new Promise<void>((resolve, reject) => {
      const queued: Queued = {
        topic,
        message,
        settled: false,
        resolve: () => {
          queued.settled = true;
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          queued.settled = true;
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => queued.reject(new BusUnavailableError(`kafka did not acknowledge within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      this.#queue.push(queued);
      if (!this.#sending) setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    if (this.#sending) return;
    this.#sending = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_MESSAGES_PER_REQUEST).filter((queued) => !queued.settled);
        if (batch.length === 0) continue;
        const byTopic = new Map<string, Message[]>();
        for (const { topic, message } of batch) {
          const messages = byTopic.get(topic) ?? [];
          if (messages.length === 0) byTopic.set(topic, messages);
          messages.push(message);
        }
        const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
        const started = performance.now();
        try {
          await this.producer.sendBatch({ topicMessages, acks: -1 });
          this.options.observe?.(batch.length, (performance.now() - started) / 1000);
          for (const queued of batch) queued.resolve();
        } catch (error) {
          const failure = new BusUnavailableError(`kafka did not store ${batch.length} message(s): ${(error as Error).message}`, error);
          for (const queued of batch) queued.reject(failure);
        }
      }
    } finally {
      this.#sending = false;
    }
  }
}
