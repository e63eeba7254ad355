import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/journal/journal.js';
import { createSqliteJournal } from '../../src/journal/sqlite/sqlite-journal.js';
import { compareWithLedger, connectKept, LOAD_HUNT, UNTHROTTLED_ENV, readAllEvents, sleep, startGuessLoad } from './guess-load.js';
import { RawClient } from './raw-client.js';
import { untilStatus } from './readiness-watch.js';
import { disposeServer, removeDir, startServerProcess, type ServerProcess } from './server-process.js';

/**
 * kill -9 of an embedded Cairn process while its SQLite journal commits under load: after a
 * restart on the same data dir, every command it acknowledged is stored, once. Run with both
 * `synchronous` settings: a process crash loses nothing acknowledged even with NORMAL, which
 * skips only the fsync (the WAL frames are in the OS's page cache before the commit returns).
 */

const PLAYERS = 24;
const IN_FLIGHT_PER_PLAYER = 4;
const KILL_AFTER_ACKS = 300;
const servers: ServerProcess[] = [];
const sockets: RawClient[] = [];

async function start(synchronous: 'full' | 'normal', dataDir?: string): Promise<ServerProcess> {
  const server = await startServerProcess({
    env: {
      CAIRN_SQLITE_SYNCHRONOUS: synchronous,
      ...UNTHROTTLED_ENV,
    },
    ...(dataDir ? { dataDir } : {}),
  });
  servers.push(server);
  return server;
}

const connect = (server: ServerProcess, subject: string, role: 'player' | 'designer' = 'player') => connectKept(sockets, server, subject, role);

async function storedEvents(file: string, entityId: string): Promise<StoredEvent[]> {
  const journal = createSqliteJournal({ path: file });
  try {
    return await readAllEvents(journal, entityId);
  } finally {
    await journal.close();
  }
}

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  const dirs = new Set(servers.map((server) => server.dataDir));
  for (const server of servers) await disposeServer(server, { keepDataDir: true });
  for (const dir of dirs) removeDir(dir);
});

describe.each(['full', 'normal'] as const)('kill -9 of the embedded process mid-commit (sqliteSynchronous %s)', (synchronous) => {
  it('keeps every acknowledged command exactly once, and the restarted process serves again on the same data dir', { timeout: 60_000 }, async () => {
    const first = await start(synchronous);
    const designer = await connect(first, `crash-dee-${synchronous}`, 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'crash', commandId: 'crash-spawn', definition: LOAD_HUNT });
    await designer.ok({ type: 'admin.start', hunt: 'crash', commandId: 'crash-start' });
    const players = await Promise.all(Array.from({ length: PLAYERS }, (_, i) => connect(first, `crasher-${i}`)));
    await Promise.all(players.map((socket, i) => socket.ok({ type: 'join', hunt: 'crash', commandId: `crasher-${i}-join` })));

    const load = startGuessLoad(players, { hunt: 'crash', inFlightPerSocket: IN_FLIGHT_PER_PLAYER, prefix: `guess-${synchronous}` });
    while (load.acknowledged.length < KILL_AFTER_ACKS) await sleep(5);
    first.child.kill('SIGKILL');
    await load.stop();
    expect(await first.stop()).toBeNull(); // killed by the signal
    console.log(`sqlite ${synchronous}: ${load.acknowledged.length} acknowledged before the kill, ${load.unanswered} in flight lost their answer`);
    expect(load.unanswered, 'commands were in flight when it died').toBeGreaterThan(0);

    const second = await start(synchronous, first.dataDir);
    await untilStatus(`${second.httpUrl}/readyz`, 200, 5000);
    const again = await connect(second, 'crasher-0');
    const after = await again.ok({ type: 'submit', hunt: 'crash', clue: 'riddle', guess: { kind: 'answer', text: 'after' }, commandId: `after-${synchronous}` });
    expect(after).toMatchObject({ correct: false });
    await disposeServer(second, { keepDataDir: true });

    const events = await storedEvents(`${first.dataDir}/cairn.db`, 'hunt:crash');
    const { lost, storedTwice } = compareWithLedger(events, [...load.acknowledged, `after-${synchronous}`]);
    expect(lost, 'acknowledged commands missing after the restart').toEqual([]);
    expect(storedTwice, 'commands stored more than once').toEqual([]);
    expect(events.map((e) => e.seqNr)).toEqual(events.map((_, i) => i + 1));
  });
});
