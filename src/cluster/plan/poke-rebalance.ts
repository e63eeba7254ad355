import { PartitionAssigners, type Kafka } from 'kafkajs';
import { retryWhileSettling } from '../kafka-client.js';
import { createPlanAssigner, type PlanAssignerOptions } from './plan-assigner.js';

/**
 * Makes the shard group rebalance now, so that a new plan takes effect: kafkajs has no call for
 * that, but a member joining does it. A short-lived member joins saying it has seen plan
 * `planVersion` (the leader waits until it has that plan too), gets nothing, and leaves; its
 * leaving rebalances once more, and the sticky assignment then moves nothing.
 */
export async function pokeRebalance(
  kafka: Kafka,
  options: Omit<PlanAssignerOptions, 'self'> & { readonly groupId: string; readonly planVersion: number; readonly timeoutMs: number },
): Promise<void> {
  const consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
    // It is assigned nothing: an idle fetch would only hold up its leaving.
    maxWaitTimeInMs: 100,
    partitionAssigners: [
      createPlanAssigner({ ...options, self: () => ({ nodeId: 'poke', owned: [], planVersion: options.planVersion, poke: true }) }),
      PartitionAssigners.roundRobin,
    ],
  });
  let joined: () => void = () => undefined;
  const hasJoined = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  const join = async () => {
    await consumer.connect();
    await retryWhileSettling(() => consumer.subscribe({ topic: options.topic, fromBeginning: true }));
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    await hasJoined;
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    // The whole join is bounded: a slow or stuck rebalance must not keep the poke around.
    await Promise.race([join(), new Promise((resolve) => (timer = setTimeout(resolve, options.timeoutMs)))]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}
