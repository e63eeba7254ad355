/**
 * The shard of an entity: the Kafka partition that Kafka's default partitioner (murmur2 of the
 * key, as the Java client and kafkajs's DefaultPartitioner compute it) picks for the entity id,
 * over the cluster's fixed partition count. Producers name the partition explicitly with this
 * function and owners test their entities with it, so there is one hash and never two.
 */
export function shardOf(entityId: string, partitions: number): number {
  return (murmur2(Buffer.from(entityId, 'utf8')) & 0x7fffffff) % partitions;
}

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Murmur2, 32-bit, as in Kafka's Utils.murmur2 (int arithmetic wraps, hence Math.imul and |0). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length % 4;
  if (tail === 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}
