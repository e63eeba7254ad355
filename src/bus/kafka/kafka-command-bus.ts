import { randomUUID } from 'node:crypto';
import { checkEntityId } from '../../../actors/runtime/shard-host.js';
import type { CommandOutcome } from '../../../actors/runtime/entity-messages.js';
import { shardOf } from '../../cluster/shard-of.js';
import { BusTimeoutError, RemoteError } from '../../errors.js';
import type { Breaker } from '../../resilience/breaker.js';
import type { CommandBus } from '../command-bus.js';
import { BusUnavailableError, type BatchingProducer } from './batching-producer.js';
import { decodeReplyEnvelope, encodeEnvelope, type CommandEnvelope, type ReplyEnvelope } from './bus-envelopes.js';

export interface KafkaCommandBusOptions {
  readonly producer: BatchingProducer;
  readonly commandsTopic: string;
  /** This node's reply topic, read by its tail consumer, which hands each message to receive(). */
  readonly replyTopic: string;
  readonly partitions: number;
  /** How long a request waits for its answer, ms. */
  readonly timeoutMs: number;
  /** Opens when Kafka keeps refusing messages, so that requests then fail at once. */
  readonly breaker: Breaker;
  readonly onError: (error: unknown) => void;
}

interface Pending {
  readonly resolve: (reply: ReplyEnvelope) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The gateway's side of the CommandBus in a cluster: each request goes to the commands topic, on
 * the partition of its entity's shard, with this node's reply address; the owner of the shard
 * runs it and answers on that address. A request without an answer in time fails with a
 * retriable timeout; the client retries with the same command id, which the entity dedupes.
 */
export class KafkaCommandBus implements CommandBus {
  readonly #pending = new Map<string, Pending>();
  readonly #tells = new Set<Promise<void>>();
  // Request ids must not repeat across restarts of a node, or a late reply from before could
  // answer a new request: hence the random part.
  readonly #incarnation = randomUUID().slice(0, 8);
  #counter = 0;

  constructor(private readonly options: KafkaCommandBusOptions) {}

  async execute<Event = unknown>(kind: string, entityId: string, command: unknown): Promise<CommandOutcome<Event>> {
    const reply = await this.#request({ kind, entityId, request: { type: 'command', command } });
    if ('outcome' in reply) return reply.outcome as CommandOutcome<Event>;
    throw new RemoteError('unexpected-reply', `a command got a reply without an outcome`, { retriable: true });
  }

  async query(kind: string, entityId: string, view: string): Promise<unknown> {
    const reply = await this.#request({ kind, entityId, request: { type: 'view', view } });
    if ('view' in reply) return reply.view;
    throw new RemoteError('unexpected-reply', `a view request got a reply without a view`, { retriable: true });
  }

  /** Sends a command nobody waits for (an entity's side effect); it is in Kafka once this resolves. */
  tell(kind: string, entityId: string, command: unknown): Promise<void> {
    const sent = this.#send({ kind, entityId, request: { type: 'command', command } });
    const tracked = sent.finally(() => this.#tells.delete(tracked));
    tracked.catch(() => undefined);
    this.#tells.add(tracked);
    return sent;
  }

  /**
   * Resolves once every tell sent so far is in Kafka; rejects when one could not be sent. The
   * shard consumer waits for this before it commits the commands whose events made the tells.
   */
  async told(): Promise<void> {
    await Promise.all([...this.#tells]);
  }

  /** An answer read from this node's reply topic. Answers nobody waits for any more are dropped. */
  receive(value: Buffer | null): void {
    let reply: ReplyEnvelope;
    try {
      reply = decodeReplyEnvelope(value);
    } catch (error) {
      this.options.onError(error);
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    pending.resolve(reply);
  }

  /** Fails every request still waiting (the node is stopping). */
  close(): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new BusUnavailableError('the node is stopping: retry with the same command id'));
      this.#pending.delete(id);
    }
  }

  async #request(envelope: Omit<CommandEnvelope, 'reply'>): Promise<ReplyEnvelope> {
    checkEntityId(envelope.entityId);
    this.#counter += 1;
    const id = `${this.#incarnation}-${this.#counter}`;
    const answered = new Promise<ReplyEnvelope>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new BusTimeoutError(`no answer from the owner of ${envelope.kind} ${envelope.entityId} within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
    // The timeout may fire while the send is still waiting for Kafka: nobody awaits `answered`
    // yet, and an unobserved rejection would end the process.
    answered.catch(() => undefined);
    try {
      await this.#send({ ...envelope, reply: { topic: this.options.replyTopic, id } });
    } catch (error) {
      const pending = this.#pending.get(id);
      if (pending) clearTimeout(pending.timer);
      this.#pending.delete(id);
      throw error;
    }
    const reply = await answered;
    if ('error' in reply) throw new RemoteError(reply.error.code, reply.error.message, { retriable: reply.error.retriable });
    return reply;
  }

  #send(envelope: CommandEnvelope): Promise<void> {
    const message = { key: envelope.entityId, partition: shardOf(envelope.entityId, this.options.partitions), value: encodeEnvelope(envelope) };
    return this.options.breaker.guard(() => this.options.producer.send(this.options.commandsTopic, message));
  }
}
