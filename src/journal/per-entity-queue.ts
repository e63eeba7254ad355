/**
 * Runs tasks for one key one after another, in call order, and tasks for different keys in
 * parallel. When a task fails, the tasks already queued behind it for the same key fail too:
 * a journal must not store sequence number n + 1 after failing to store n.
 */
export class PerEntityQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(() => undefined);
    // Marks the tail as handled (its failure reaches the callers through `result`) while it
    // stays rejected for the tasks chained behind it.
    tail.catch(() => undefined).finally(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    this.tails.set(key, tail);
    return result;
  }

  /** Resolves when every queued task has finished, however it ended. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }
}
