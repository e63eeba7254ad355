/**
 * A real Cairn server process for the load benchmarks (src/main.ts, as `npm start` runs it), with
 * the settings that keep the server's own limits from shaping the offered load.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchServer, type BenchServer } from './bench-server.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_SECRET = 'bench-players-secret-0123456789';

/** The rate-limiter settings given to the server, in the order the reports print them. */
export function limiterSettings(rate: number) {
  // Well above the offered rate, so that the limiter does not shape the load.
  return { CAIRN_GUESSES_PER_SECOND: String(Math.max(10, rate * 20)), CAIRN_GUESS_BURST: String(Math.max(20, Math.ceil(rate * 40))) };
}

/** The environment of a benchmark server; `extra` (cluster settings, say) goes on top. */
export function cairnEnv(o: { dataDir: string; rate: number; definitionBytes: number; extra?: Record<string, string> }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CAIRN_HOST: '127.0.0.1',
    CAIRN_PORT: '0',
    CAIRN_DATA_DIR: o.dataDir,
    CAIRN_TOKEN_SECRET: BENCH_SECRET,
    // 'info', not 'warn': the ready line (which carries the port) is logged at info, and it is
    // the only info line a running server writes (besides the stop lines); warnings are counted.
    CAIRN_LOG_LEVEL: 'info',
    ...limiterSettings(o.rate),
    CAIRN_MAX_FRAME_BYTES: String(Math.max(64 * 1024, o.definitionBytes * 2)),
    ...o.extra,
  };
}

export interface CairnProcess extends BenchServer {
  readonly wsUrl: string;
  readonly httpUrl: string;
}

/**
 * Starts the server and resolves once it logs "cairn is ready". Its SIGKILL goes into `cleanups`
 * until it exits, so that an interrupted benchmark leaves no server behind.
 */
export async function startCairn(o: { env: NodeJS.ProcessEnv; cleanups: Set<() => void>; timeoutMs?: number }): Promise<CairnProcess> {
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const server = await startBenchServer('Cairn', [...extra, '--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: o.env,
    isReady: (line) => line.msg === 'cairn is ready' && typeof line.ws === 'string',
    cleanups: o.cleanups,
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
  const wsUrl = String(server.ready.ws);
  return Object.assign(server, { wsUrl, httpUrl: wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '') });
}
