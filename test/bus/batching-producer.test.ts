import type { Producer, ProducerBatch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchingProducer, BusUnavailableError } from '../../src/bus/kafka/batching-producer.js';
import { KafkaCommandBus } from '../../src/bus/kafka/kafka-command-bus.js';
import { BusTimeoutError } from '../../src/errors.js';
import { createBreaker } from '../../src/resilience/breaker.js';

/** A stand-in for kafkajs's producer: records each request, and answers when told to. */
function fakeProducer(behaviour: 'ack' | 'hang' | 'fail' = 'ack') {
  const requests: ProducerBatch[] = [];
  const producer = {
    async sendBatch(batch: ProducerBatch) {
      requests.push(batch);
      if (behaviour === 'hang') return new Promise(() => undefined);
      if (behaviour === 'fail') throw new Error('broker down');
      return [];
    },
  };
  return { producer: producer as unknown as Producer, requests, count: (r: ProducerBatch) => r.topicMessages!.reduce((n, t) => n + t.messages.length, 0) };
}

describe('BatchingProducer', () => {
  it('sends what was queued in the same turn as one request, grouped by topic, and acknowledges each caller', async () => {
    const { producer, requests } = fakeProducer();
    const batching = new BatchingProducer(producer);
    await Promise.all([batching.send('a', { value: '1' }), batching.send('b', { value: '2' }), batching.send('a', { value: '3' })]);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.acks).toBe(-1);
    expect(requests[0]!.topicMessages!.map((t) => [t.topic, t.messages.map((m) => m.value)])).toEqual([
      ['a', ['1', '3']],
      ['b', ['2']],
    ]);
  });

  it('keeps each request to at most 500 messages', async () => {
    const { producer, requests, count } = fakeProducer();
    const batching = new BatchingProducer(producer);
    await Promise.all(Array.from({ length: 1200 }, (_, i) => batching.send('a', { value: String(i) })));
    expect(requests.map(count)).toEqual([500, 500, 200]);
  });

  it('fails every caller of a refused request with a retriable BusUnavailableError', async () => {
    const { producer } = fakeProducer('fail');
    const batching = new BatchingProducer(producer);
    const error = await batching.send('a', { value: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusUnavailableError);
    expect(error).toMatchObject({ code: 'bus-unavailable', retriable: true });
  });

  it('tells a caller when Kafka does not acknowledge in time, and does not send what nobody waits for any more', async () => {
    const hanging = fakeProducer('hang');
    const batching = new BatchingProducer(hanging.producer, { sendTimeoutMs: 50 });
    const first = batching.send('a', { value: 'stuck' }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = batching.send('a', { value: 'queued behind' }).catch((e: unknown) => e);
    expect(await first).toBeInstanceOf(BusUnavailableError);
    expect(await second).toBeInstanceOf(BusUnavailableError);
    expect(hanging.requests).toHaveLength(1);
  });
});

describe('KafkaCommandBus', () => {
  const bus = (producer: Producer, timeoutMs: number) =>
    new KafkaCommandBus({
      producer: new BatchingProducer(producer, { sendTimeoutMs: 1000 }),
      commandsTopic: 'c',
      replyTopic: 'r',
      partitions: 4,
      timeoutMs,
      breaker: createBreaker(
        () => true,
        (cause) => new BusUnavailableError('open', cause),
      ),
      onError: () => undefined,
    });

  it('times a request out while its send is still waiting for Kafka, without an unobserved rejection', async () => {
    const { producer } = fakeProducer('hang');
    const error = await bus(producer, 30)
      .execute('hunt', 'h1', { type: 'tick' })
      .catch((e: unknown) => e);
    // The send's own deadline (1 s) ends the request; the 30 ms answer timeout fired before it
    // with nobody awaiting it yet, which must not surface as an unhandled rejection.
    expect(error).toBeInstanceOf(BusUnavailableError);
  });

  it('answers a request with the reply that carries its id, and a request without one times out retriably', async () => {
    const { producer, requests } = fakeProducer();
    const commands = bus(producer, 100);
    const answering = commands.query('player', 'ana', 'memberships');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const sent = requests[0]!.topicMessages![0]!.messages[0]!;
    expect(sent.partition).toBeTypeOf('number');
    const { decodeFrame, encodeMessage } = await import('../../protocol/codec.js');
    const envelope = decodeFrame(sent.value as Buffer) as { reply: { id: string } };
    commands.receive(Buffer.from(encodeMessage({ id: 'someone-else', view: [] })));
    commands.receive(Buffer.from(encodeMessage({ id: envelope.reply.id, view: [{ hunt: 'h1' }] })));
    expect(await answering).toEqual([{ hunt: 'h1' }]);
    const late = await commands.execute('hunt', 'h1', { type: 'tick' }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(BusTimeoutError);
    expect(late).toMatchObject({ code: 'timeout', retriable: true });
  });

  it('refuses an entity id outside the safe alphabet before sending anything', async () => {
    const { producer, requests } = fakeProducer();
    const error = await bus(producer, 100)
      .execute('hunt', 'bad id!', {})
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid-entity-id' });
    expect(requests).toHaveLength(0);
  });
});
