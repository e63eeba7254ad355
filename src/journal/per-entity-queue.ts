/**
 * Runs tasks for one key one after another, in call order, and tasks for different keys in
 * parallel. When a task fails, the tasks already queued behind it for the same key fail too:
 * a journal must not store sequence number n + 1 after failing to store n. A task queued after
 * the failure is known starts afresh (its caller has recovered).
 */
export class PerEntityQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail: Promise<void> = result.then(() => undefined);
    // Forget the tail the moment the task settles. This handler is attached before the caller
    // gets `result`, so it runs before anything the caller does on seeing the outcome: a retry
    // after a failure starts afresh instead of chaining onto the failure.
    const forget = () => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    result.then(forget, forget);
    // Marks the tail handled; it stays rejected for the tasks chained behind it.
    tail.catch(() => undefined);
    this.tails.set(key, tail);
    return result;
  }

  /** Resolves when every queued task has finished, however it ended. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }
}
