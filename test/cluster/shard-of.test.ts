import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, shardOf } from '../../src/cluster/shard-of.js';

/** kafkajs's own default partitioner, asked where a keyed message goes among `partitions`. */
function kafkajsPartition(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, id) => ({ partitionId: id, leader: 1, replicas: [1], isr: [1] }));
  return partitioner({ topic: 'commands', partitionMetadata: partitionMetadata as never, message: { key, value: null } });
}

describe('shardOf', () => {
  it('picks the partition that kafkajs picks for the same key, for any id and partition count', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 1, max: 1024 }), (id, partitions) => {
        expect(shardOf(id, partitions)).toBe(kafkajsPartition(id, partitions));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on every tail length (0-3 bytes past a multiple of four) and on ids like the ones players use', () => {
    for (const id of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'old-town', 'player:ana', 'hunt-00042', 'Zoë', '北京-trail']) {
      for (const partitions of [1, 3, 12, 64, 1000]) expect(shardOf(id, partitions), `${id} over ${partitions}`).toBe(kafkajsPartition(id, partitions));
    }
  });

  it('hashes as the Java client does (the vectors of Kafka\'s own UtilsTest.testMurmur2)', () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(Buffer.from(key)), key).toBe(hash);
  });

  it('spreads ids over the partitions', () => {
    const counts = new Array<number>(12).fill(0);
    for (let i = 0; i < 12_000; i += 1) counts[shardOf(`hunt-${i}`, 12)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(700);
  });
});
