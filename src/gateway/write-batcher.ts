import type { Duplex } from 'node:stream';

/**
 * Holds back the writes to a socket until the end of the current turn of the event loop, so that
 * every frame due to one socket in one turn (the updates of several events, then the reply) leaves
 * in one write, one system call, instead of one per frame. The frames themselves are unchanged.
 */
export class WriteBatcher {
  private readonly held = new Set<Duplex>();
  private scheduled = false;

  /** Call before writing to `socket`: its writes go out together once this turn's work is done. */
  hold(socket: Duplex): void {
    if (this.held.has(socket)) return;
    socket.cork();
    this.held.add(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      // After I/O callbacks and the promise jobs they start: a reply that awaits an update is
      // still in the same batch as that update.
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    for (const socket of this.held) socket.uncork();
    this.held.clear();
  }
}
