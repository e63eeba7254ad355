/**
 * The Colyseus room as a load target: bench/colyseus-server.ts in its own process, one room per
 * hunt made from the same hunt file Cairn is given, players that join through colyseus.js and
 * play the script of bench/player-script.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchServer } from './bench-server.js';
import { startBenchServer } from './bench-server.js';
import { ROOT } from './cairn-process.js';
import { joinColyseus } from './colyseus-session.js';
import type { LoadTarget, TargetContext } from './load-target.js';
import { Player } from './player-script.js';

export function colyseusTarget(context: TargetContext): LoadTarget {
  const { hunt, huntIds, run, cleanups } = context;
  let server: BenchServer | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-colyseus-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  cleanups.add(removeDir);

  return {
    name: 'colyseus',
    async start() {
      const huntFile = path.join(dir, 'hunt.yaml');
      fs.writeFileSync(huntFile, hunt.yaml);
      server = await startBenchServer('Colyseus', ['--import', 'tsx', path.join(ROOT, 'bench/colyseus-server.ts')], {
        cwd: ROOT,
        env: { ...process.env, BENCH_HUNT_FILE: huntFile, BENCH_HUNTS: String(huntIds.length) },
        isReady: (line) => line.msg === 'colyseus ready',
        cleanups,
      });
      return server;
    },
    async open(index, huntId, onDrop) {
      const session = await joinColyseus(String(server!.ready.ws), huntId, index, onDrop);
      const player = new Player(session, hunt.clues, run);
      return {
        act: (startedAt) => player.play(startedAt),
        close: async () => {
          await session.room.leave();
        },
      };
    },
    dispose() {
      removeDir();
      cleanups.delete(removeDir);
    },
  };
}
