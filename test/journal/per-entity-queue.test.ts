import { describe, expect, it } from 'vitest';
import { PerEntityQueue } from '../../src/journal/per-entity-queue.js';

const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('PerEntityQueue', () => {
  it('runs tasks of one key in call order, even when the first is slower', async () => {
    const queue = new PerEntityQueue();
    const done: string[] = [];
    await Promise.all([
      queue.run('a', async () => done.push(await later('first', 30))),
      queue.run('a', async () => done.push(await later('second', 1))),
    ]);
    expect(done).toEqual(['first', 'second']);
  });

  it('runs tasks of different keys side by side', async () => {
    const queue = new PerEntityQueue();
    const done: string[] = [];
    await Promise.all([
      queue.run('a', async () => done.push(await later('slow a', 30))),
      queue.run('b', async () => done.push(await later('quick b', 1))),
    ]);
    expect(done).toEqual(['quick b', 'slow a']);
  });

  it('fails the tasks queued behind a failed one, without running them, and lets later callers start fresh', async () => {
    const queue = new PerEntityQueue();
    let ranSecond = false;
    const first = queue.run('a', async () => {
      await later(null, 10);
      throw new Error('storage down');
    });
    const second = queue.run('a', async () => {
      ranSecond = true;
    });
    await expect(first).rejects.toThrow('storage down');
    await expect(second).rejects.toThrow('storage down');
    expect(ranSecond).toBe(false);
    await later(null, 5);
    await expect(queue.run('a', async () => 'fresh')).resolves.toBe('fresh');
  });
});

describe('PerEntityQueue after a failure', () => {
  it('runs a task queued right after the failed one was answered', async () => {
    const queue = new PerEntityQueue();
    const failed = queue.run('a', async () => {
      throw new Error('conflict at 5');
    });
    // The caller sees the failure, recovers, and tries again at once.
    const retried = failed.catch(() => queue.run('a', async () => 'appended 6'));
    await expect(retried).resolves.toBe('appended 6');
  });
});
