import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SequenceConflictError } from '../../errors.js';
import type { CommitResult, SqliteWriter } from './sqlite-writer.js';
import type { PendingAppend, SnapshotWrite } from './sqlite-writes.js';
import type { WireError, WriterReply, WriterRequest } from './writer-messages.js';

export interface ThreadWriterOptions {
  readonly file: string;
  readonly synchronous: 'full' | 'normal';
  readonly busyTimeoutMs: number;
  readonly maxBatchSize: number;
}

type Pending = { resolve: (reply: Extract<WriterReply, { ok: true }>) => void; reject: (error: Error) => void };

/**
 * The SQLite writes on a thread of their own (sqlite-writer-worker.ts). Requests go in the order
 * they are made and the thread handles them in that order, so an entity's appends keep theirs.
 * A thread that dies fails what it had in flight (retriably: nothing it had not answered may be
 * assumed written) and is started afresh on the next request.
 */
export function threadWriter(options: ThreadWriterOptions): SqliteWriter {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };

  const start = (): Worker => {
    const started = startWorker(options);
    started.on('message', (reply: WriterReply) => {
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply);
      else waiter.reject(rebuild(reply.error));
    });
    started.on('error', (error) => failAll(error));
    started.on('exit', (code) => {
      if (worker === started) worker = undefined;
      if (pending.size > 0) failAll(new Error(`the journal's writer thread stopped (exit code ${code})`));
    });
    return started;
  };

  const ask = (request: WriterRequest): Promise<Extract<WriterReply, { ok: true }>> =>
    new Promise((resolve, reject) => {
      pending.set(request.id, { resolve, reject });
      (worker ??= start()).postMessage(request);
    });

  return {
    async commit(appends: readonly PendingAppend[], storedAt: number): Promise<CommitResult> {
      const reply = await ask({ kind: 'commit', id: nextId++, appends, storedAt });
      const outcomes = (reply.outcomes ?? []).map((conflict) =>
        conflict === null ? undefined : new SequenceConflictError(conflict.entityId, conflict.expectedSeqNr, rebuild(conflict.cause)),
      );
      return { outcomes, ...(reply.info ? { info: reply.info } : {}) };
    },
    async saveSnapshot(row: SnapshotWrite): Promise<void> {
      await ask({ kind: 'snapshot', id: nextId++, row });
    },
    async pruneCommands(before: number, limit: number): Promise<number> {
      return (await ask({ kind: 'prune', id: nextId++, before, limit })).pruned ?? 0;
    },
    async close(): Promise<void> {
      if (!worker) return;
      const closing = worker;
      await ask({ kind: 'close', id: nextId++ });
      await closing.terminate();
    },
  };
}

/** A driver error from the thread, as the same class it was there when SQLite gave a code. */
function rebuild(error: WireError): Error {
  return error.code !== undefined ? new Database.SqliteError(error.message, error.code) : new Error(error.message);
}

// Run from TypeScript sources (tests, tsx), the thread must load the .ts file through tsx, whose
// loader a worker does not inherit and whose --import flag does not reach a worker's entry point
// on Node 20: the thread registers it first. The built package runs the compiled .js file.
const fromSources = import.meta.url.endsWith('.ts');

function startWorker(options: ThreadWriterOptions): Worker {
  if (!fromSources) return new Worker(new URL('./sqlite-writer-worker.js', import.meta.url), { workerData: options });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./sqlite-writer-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: options });
}
