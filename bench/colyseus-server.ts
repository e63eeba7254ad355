/**
 * The Colyseus server of the player benchmark: Colyseus 0.16 with its `ws` transport (no
 * permessage-deflate, 64 KiB frames, as Cairn's gateway), one HuntRoom per hunt, made before
 * anyone joins (room id = hunt id, as the designer spawns Cairn's hunts first), rooms `bench-1` to
 * `bench-H`. The hunt file is the one the benchmark gives Cairn, read through Cairn's own parser.
 * Listens on 127.0.0.1 and a free port and prints one JSON line when ready:
 *   {"msg":"colyseus ready","ws":"ws://127.0.0.1:PORT","hunts":H}
 *
 *   BENCH_HUNT_FILE=examples/old-town-trail.yaml BENCH_HUNTS=2 node --import tsx bench/colyseus-server.ts
 *
 * Environment: BENCH_HUNT_FILE (a hunt YAML; required), BENCH_HUNTS (1).
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Server, matchMaker } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { formatDefinitionErrors, parseHuntDefinition } from '../actors/definition/parse-hunt-definition.js';
import { HuntRoom, type HuntRoomOptions } from './colyseus-hunt-room.js';

const huntFile = process.env.BENCH_HUNT_FILE;
const hunts = Number(process.env.BENCH_HUNTS ?? 1);
if (!huntFile || !Number.isInteger(hunts) || hunts < 1) {
  console.error('BENCH_HUNT_FILE (a hunt YAML) is required; BENCH_HUNTS must be a whole number of at least 1');
  process.exit(2);
}
const parsed = parseHuntDefinition(fs.readFileSync(huntFile, 'utf8'));
if (!parsed.ok) {
  console.error(formatDefinitionErrors(parsed.errors, huntFile));
  process.exit(2);
}

// The transport's own ping is Cairn's heartbeat (30 s); the backlog matches the echo server's.
const transport = new WebSocketTransport({ perMessageDeflate: false, maxPayload: 64 * 1024, pingInterval: 30_000, backlog: 4096 });
const server = new Server({ transport, greet: false });
server.define('hunt', HuntRoom);
await server.listen(0, '127.0.0.1');
for (let h = 1; h <= hunts; h += 1) {
  const options: HuntRoomOptions = { hunt: `bench-${h}`, definition: parsed.definition };
  await matchMaker.createRoom('hunt', options);
}
const { port } = transport.server!.address() as AddressInfo;
console.log(JSON.stringify({ msg: 'colyseus ready', ws: `ws://127.0.0.1:${port}`, hunts }));
