/**
 * Group commit: writes submitted in the same turn of the event loop go to the writer as one
 * batch, so they share one transaction and one fsync. With synchronous=FULL the fsync dominates
 * the cost of a small append; batching turns N fsyncs into one while each writer still waits for
 * its own write to be durable.
 */

export interface GroupCommitOptions<T> {
  /** A batch is sent as soon as this many items wait, without waiting for the next turn. */
  readonly maxBatchSize: number;
  /**
   * Writes `items` in one transaction, in order. Resolves, per item, undefined when it was
   * written or the error that item alone failed with. Rejects when the transaction as a whole
   * failed, in which case nothing of the batch was written.
   */
  readonly commit: (items: readonly T[]) => Promise<readonly (Error | undefined)[]>;
  /** The error every item of a batch rejects with when `commit` failed with `cause`. */
  readonly batchFailed: (cause: unknown) => Error;
}

interface Waiter<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class GroupCommit<T> {
  readonly #options: GroupCommitOptions<T>;
  #waiting: Waiter<T>[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: GroupCommitOptions<T>) {
    if (!Number.isSafeInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
      throw new TypeError(`maxBatchSize must be a positive integer, got ${String(options.maxBatchSize)}`);
    }
    this.#options = options;
  }

  /** Resolves once the transaction holding `item` committed; rejects with the item's own error. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (this.#waiting.length >= this.#options.maxBatchSize) this.flush();
      else this.#schedule();
    });
  }

  /** Sends everything waiting, in batches of at most maxBatchSize, in order. */
  flush(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    while (this.#waiting.length > 0) {
      const sent = this.#commitBatch(this.#waiting.splice(0, this.#options.maxBatchSize));
      this.#inFlight.add(sent);
      void sent.finally(() => this.#inFlight.delete(sent));
    }
  }

  /** Sends everything waiting and resolves once every batch sent so far has its outcome. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.#inFlight]);
  }

  #schedule(): void {
    // setImmediate rather than a microtask: it runs after pending I/O callbacks, so writers woken
    // by the same burst of network input get to join the batch.
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      this.flush();
    });
  }

  async #commitBatch(batch: readonly Waiter<T>[]): Promise<void> {
    let outcomes: readonly (Error | undefined)[];
    try {
      outcomes = await this.#options.commit(batch.map((waiter) => waiter.item));
    } catch (cause) {
      for (const waiter of batch) waiter.reject(this.#options.batchFailed(cause));
      return;
    }
    batch.forEach((waiter, index) => {
      const failure = outcomes[index];
      if (failure === undefined) waiter.resolve();
      else waiter.reject(failure);
    });
  }
}
