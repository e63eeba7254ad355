import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken, type Role } from '../../src/auth/tokens.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_SECRET = 'e2e-secret-0123456789abcdef';

export interface ServerProcess {
  readonly wsUrl: string;
  readonly httpUrl: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` and waits for the exit; returns the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a real Cairn server process (`src/main.ts`, as `npm start` runs it) on a free loopback
 * port, and resolves once it says it is ready.
 */
export async function startServerProcess(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      CAIRN_PORT: '0',
      CAIRN_DATA_DIR: dataDir,
      CAIRN_TOKEN_SECRET: TEST_SECRET,
      CAIRN_LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ ws: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // Complete lines only: a chunk may end in the middle of the ready line.
      for (const line of output.split('\n').slice(0, -1)) {
        if (!line.includes('cairn is ready')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line) as { ws: string });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${output}`));
    });
  });
  let ws: string;
  try {
    ({ ws } = await ready);
  } catch (error) {
    // A server that never got ready leaves no temp dir behind (one the caller passed is the caller's).
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (options.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    wsUrl: ws,
    httpUrl: ws.replace(/^ws/, 'http').replace(/\/ws$/, ''),
    dataDir,
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export const tokenFor = (subject: string, role: Role = 'player', name?: string, ttlSeconds = 3600) =>
  mintToken(TEST_SECRET, { subject, role, ...(name ? { name } : {}) }, ttlSeconds);

export const removeDir = (dir: string) => fs.rmSync(dir, { recursive: true, force: true });

/** A loopback port that was free a moment ago: listen on port 0, note the port, close. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Stops `server` if it is still running (SIGKILL when SIGTERM takes too long) and removes its data dir. */
export async function disposeServer(server: ServerProcess | undefined, options: { keepDataDir?: boolean } = {}): Promise<void> {
  if (!server) return;
  const stopped = server.stop('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await stopped.finally(() => clearTimeout(timer));
  if (!options.keepDataDir) removeDir(server.dataDir);
}
