/**
 * Cairn players and designers through the SDK, for the load benchmarks: a player who connects
 * and joins a hunt (failures counted by reason), and a designer who spawns and starts the hunts.
 */
import { mintToken } from '../src/auth/tokens.js';
import { CairnConnectionError, createCairnClient, type CairnClient, type WebSocketConstructor } from '../src/client/index.js';
import { REQUEST_TIMEOUT_MS, bump, errorCode, type ScriptRun } from './player-script.js';

const JOIN_TIMEOUT_MS = 30_000;

/**
 * Connects player `index` to `url` and joins `hunt`; a failure is counted in the run's
 * connectFailures or joinFailures and thrown with its reason. `onClient` sees the client before it
 * connects (to keep it, or to watch its disconnects).
 */
export async function joinAsPlayer(o: {
  url: string;
  secret: string;
  index: number;
  hunt: string;
  run: ScriptRun;
  WebSocket?: WebSocketConstructor;
  onClient?: (client: CairnClient) => void;
}): Promise<CairnClient> {
  const client = createCairnClient({
    url: o.url,
    token: () => mintToken(o.secret, { subject: `player-${o.index}`, role: 'player', name: `Player ${o.index}` }, 3600),
    ...(o.WebSocket ? { WebSocket: o.WebSocket } : {}),
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    reconnect: { enabled: false },
    maxRetries: 0,
  });
  o.onClient?.(client);
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof CairnConnectionError ? `connect: close ${error.code} ${error.reason}` : `connect: ${String(error)}`;
    bump(o.run.connectFailures, reason);
    throw new Error(reason);
  }
  try {
    await client.request({ type: 'join', hunt: o.hunt }, { timeoutMs: JOIN_TIMEOUT_MS });
  } catch (error) {
    const reason = `join: ${errorCode(error)}`;
    bump(o.run.joinFailures, reason);
    throw new Error(reason);
  }
  return client;
}

/** A designer spawns and starts each hunt of `ids` from `yaml`, one after the other. */
export async function spawnHunts(o: { url: string; secret: string; ids: readonly string[]; yaml: string; WebSocket?: WebSocketConstructor }): Promise<void> {
  const designer = createCairnClient({
    url: o.url,
    token: await mintToken(o.secret, { subject: 'bench-designer', role: 'designer', name: 'Bench designer' }, 3600),
    ...(o.WebSocket ? { WebSocket: o.WebSocket } : {}),
    reconnect: { enabled: false },
  });
  await designer.connect();
  try {
    for (const id of o.ids) {
      await designer.spawn(id, o.yaml);
      await designer.start(id);
    }
  } finally {
    await designer.close();
  }
}
