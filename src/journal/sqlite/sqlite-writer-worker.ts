/**
 * The SQLite journal's writer thread. Its own connection commits the appends, so that the fsync
 * of each commit (and SQLite's occasional checkpoint) blocks this thread, not the event loop that
 * serves every socket. Requests that queue up while a commit runs are merged into the next
 * transaction, up to the batch size: group commit across turns of the main thread.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { SequenceConflictError } from '../../errors.js';
import { openSqlite, SqliteWrites, type PendingAppend } from './sqlite-writes.js';
import { commitInfo } from './sqlite-writer.js';
import { toWireError, type WireConflict, type WriterReply, type WriterRequest } from './writer-messages.js';

interface WorkerOptions {
  readonly file: string;
  readonly synchronous: 'full' | 'normal';
  readonly busyTimeoutMs: number;
  readonly maxBatchSize: number;
}

serve(parentPort!, workerData as WorkerOptions);

function serve(port: MessagePort, options: WorkerOptions): void {
  const db = openSqlite(options.file, options);
  const writes = new SqliteWrites(db);
  const queue: WriterRequest[] = [];
  let scheduled = false;

  const reply = (message: WriterReply): void => port.postMessage(message);

  const drain = (): void => {
    scheduled = false;
    while (queue.length > 0) {
      if (queue[0]!.kind === 'commit') commitGroup(takeCommits());
      else handle(queue.shift() as Exclude<WriterRequest, { kind: 'commit' }>);
    }
  };

  /** The commit requests at the head of the queue, as many as fit in one transaction. */
  const takeCommits = (): CommitRequest[] => {
    const group: CommitRequest[] = [];
    let size = 0;
    while (queue[0]?.kind === 'commit') {
      const request = queue[0];
      if (group.length > 0 && size + request.appends.length > options.maxBatchSize) break;
      group.push(request);
      size += request.appends.length;
      queue.shift();
    }
    return group;
  };

  const commitGroup = (group: readonly CommitRequest[]): void => {
    const appends: PendingAppend[] = group.flatMap((request) => request.appends);
    const started = performance.now();
    let outcomes: (Error | undefined)[];
    try {
      outcomes = writes.commit(appends, group[0]!.storedAt);
    } catch (error) {
      for (const request of group) reply({ id: request.id, ok: false, error: toWireError(error) });
      return;
    }
    const info = commitInfo(appends, outcomes, performance.now() - started);
    let offset = 0;
    group.forEach((request, index) => {
      const own = outcomes.slice(offset, offset + request.appends.length).map((outcome, i) => conflictOf(outcome, request.appends[i]!));
      offset += request.appends.length;
      reply({ id: request.id, ok: true, outcomes: own, ...(index === group.length - 1 ? { info } : {}) });
    });
  };

  const handle = (request: Exclude<WriterRequest, { kind: 'commit' }>): void => {
    try {
      if (request.kind === 'prune') {
        reply({ id: request.id, ok: true, pruned: writes.pruneCommands(request.before, request.limit) });
        return;
      }
      if (request.kind === 'snapshot') writes.saveSnapshot(request.row);
      else db.close();
      reply({ id: request.id, ok: true });
    } catch (error) {
      reply({ id: request.id, ok: false, error: toWireError(error) });
    }
    if (request.kind === 'close') port.close();
  };

  port.on('message', (request: WriterRequest) => {
    queue.push(request);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  });
}

type CommitRequest = Extract<WriterRequest, { kind: 'commit' }>;

function conflictOf(outcome: Error | undefined, append: PendingAppend): WireConflict | null {
  if (!(outcome instanceof SequenceConflictError)) return null;
  return { entityId: append.entityId, expectedSeqNr: append.expectedSeqNr, cause: toWireError(outcome.cause) };
}
