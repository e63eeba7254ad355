/**
 * Cairn as a load target: a real server process (src/main.ts, embedded, SQLite journal in a temp
 * dir, every event persisted), hunts spawned and started by a designer through the SDK, players
 * that connect and join through the SDK and play the script of bench/player-script.ts. Its detail
 * of the measured window: the frames on the wire, what one observer per hunt saw of the
 * leaderboard, and the server's own /metrics.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixed } from './bench-kit.js';
import { BENCH_SECRET, cairnEnv, startCairn, type CairnProcess } from './cairn-process.js';
import { scrape } from './load-phases.js';
import type { DetailRow, LoadTarget, TargetContext } from './load-target.js';
import { joinAsPlayer, spawnHunts } from './cairn-join.js';
import { Player, cairnSession } from './player-script.js';
import { CountingWebSocket, wire } from './wire-counter.js';

export interface CairnTarget extends LoadTarget {
  /** The average request frame of the last measured window, bytes (the echo baseline sends frames of this size). */
  requestBytes(): number | undefined;
}

export function cairnTarget(context: TargetContext): CairnTarget {
  const { hunt, huntIds, run, cleanups } = context;
  let server: CairnProcess | undefined;
  let requestBytes: number | undefined;
  let metrics0: Map<string, number> | undefined;
  const observed = { leaderboards: 0, unchangedTop: 0, updates: 0 };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  cleanups.add(removeDir);

  return {
    name: 'cairn',
    requestBytes: () => requestBytes,
    async start() {
      const definitionBytes = Buffer.byteLength(hunt.yaml);
      server = await startCairn({ env: cairnEnv({ dataDir, rate: context.ratePerPlayer, definitionBytes }), cleanups });
      try {
        await spawnHunts({ url: server.wsUrl, secret: BENCH_SECRET, ids: huntIds, yaml: hunt.yaml, WebSocket: CountingWebSocket });
      } catch (error) {
        await server.shutdown(5_000);
        throw error;
      }
      return server;
    },
    async open(index, huntId, onDrop) {
      const client = await joinAsPlayer({
        url: server!.wsUrl,
        secret: BENCH_SECRET,
        index,
        hunt: huntId,
        run,
        WebSocket: CountingWebSocket,
      });
      // Watched from the join on: a socket lost before it is already a failed connection.
      client.on('disconnected', ({ code, reason }) => onDrop(`${code}${reason ? ` ${reason}` : ''}`));
      if (index < huntIds.length) {
        // One observer per hunt: does each leaderboard broadcast change what a player sees?
        let lastTop = '';
        client.on('update', (update) => {
          if (!wire.counting) return;
          observed.updates += 1;
          for (const change of update.changes) {
            if (change.kind !== 'leaderboard') continue;
            const top = JSON.stringify(change.leaderboard.top);
            observed.leaderboards += 1;
            if (top === lastTop) observed.unchangedTop += 1;
            lastTop = top;
          }
        });
      }
      const player = new Player(cairnSession(client, huntId), hunt.clues, run);
      return { act: (startedAt) => player.play(startedAt), close: () => client.close() };
    },
    async beginWindow() {
      metrics0 = await scrape(server!.httpUrl);
      wire.reset();
      wire.counting = true;
    },
    async endWindow(seconds) {
      wire.counting = false;
      const w = wire.counts;
      requestBytes = w.requests > 0 ? w.requestBytes / w.requests : undefined;
      const rows: DetailRow[] = [
        { item: 'request / reply frame bytes (avg)', value: `${fixed(requestBytes ?? Number.NaN)} / ${fixed(w.replyBytes / Math.max(1, w.replies))}` },
        { item: 'update frames/s received (all players), avg bytes', value: `${fixed(w.updates / seconds, 0)}, ${fixed(w.updateBytes / Math.max(1, w.updates))}` },
        {
          item: 'observers: leaderboard changes / with the top 10 unchanged',
          value: `${observed.leaderboards} / ${observed.unchangedTop} in ${observed.updates} update frames`,
        },
      ];
      const metrics1 = await scrape(server!.httpUrl);
      if (!metrics0 || !metrics1) return [...rows, { item: 'server /metrics', value: 'not read within 10 s (event loop saturated)' }];
      const m0 = metrics0;
      const d = (key: string) => (metrics1.get(key) ?? 0) - (m0.get(key) ?? 0);
      const commits = d('cairn_journal_commit_duration_seconds_count');
      const submits = d('cairn_command_duration_seconds_count{type="submit"}');
      return [
        ...rows,
        { item: 'server-side submit avg ms (frame in → reply out)', value: fixed((d('cairn_command_duration_seconds_sum{type="submit"}') / Math.max(1, submits)) * 1000, 2) },
        {
          item: 'journal commits/s, appends per commit, commit ms (avg)',
          value: `${fixed(commits / seconds, 0)}, ${fixed(d('cairn_journal_commit_appends_sum') / Math.max(1, commits))}, ${fixed((d('cairn_journal_commit_duration_seconds_sum') / Math.max(1, commits)) * 1000, 2)}`,
        },
        { item: 'slow-consumer disconnects (4002)', value: d('cairn_slow_consumer_disconnects_total') },
      ];
    },
    dispose() {
      removeDir();
      cleanups.delete(removeDir);
    },
  };
}
