import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FOUR_CLUES, fourClueHunt } from './hunts.js';
import { RawClient } from './raw-client.js';
import { sleep } from './sdk-client.js';
import { disposeServer, startServerProcess, tokenFor, type ServerProcess } from './server-process.js';

/**
 * What an operator reads in a real server's log (JSON lines on stdout): a line per staff action
 * and per step of a hunt's life, refused tokens spaced out, and never a secret or an answer.
 */

let server: ServerProcess;
const sockets: RawClient[] = [];

interface LogLine {
  readonly msg: string;
  readonly [field: string]: unknown;
}

const lines = (): LogLine[] =>
  server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

async function untilLogged(match: (line: LogLine) => boolean, timeoutMs = 5000): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = lines().find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`not logged in ${timeoutMs} ms; the log:\n${server.output()}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  server = await startServerProcess();
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await disposeServer(server);
});

describe('the log', () => {
  it('has a line per staff action and per step of the hunt, with who and what, and no definition or answer', async () => {
    const designer = await RawClient.connect(server.wsUrl, await tokenFor('log-dee', 'designer'));
    const player = await RawClient.connect(server.wsUrl, await tokenFor('log-pat'));
    sockets.push(designer, player);
    await designer.ok({ type: 'admin.spawn', hunt: 'logged', commandId: 'log-spawn', definition: fourClueHunt() });
    await designer.ok({ type: 'admin.start', hunt: 'logged', commandId: 'log-start' });
    await player.ok({ type: 'join', hunt: 'logged', commandId: 'log-join' });
    await designer.ok({ type: 'admin.kick', hunt: 'logged', commandId: 'log-kick', player: 'log-pat', reason: 'testing the log' });
    const refused = await designer.fails({ type: 'admin.resume', hunt: 'logged', commandId: 'log-resume' });

    const spawn = await untilLogged((l) => l.msg === 'staff action' && l.action === 'admin.spawn');
    expect(spawn).toMatchObject({ staff: 'log-dee', role: 'designer', hunt: 'logged', commandId: 'log-spawn', duplicate: false });
    expect(await untilLogged((l) => l.msg === 'staff action' && l.action === 'admin.kick')).toMatchObject({ hunt: 'logged', player: 'log-pat' });
    expect(await untilLogged((l) => l.msg === 'staff action refused')).toMatchObject({ action: 'admin.resume', code: refused.code });
    expect(await untilLogged((l) => l.msg === 'hunt lifecycle' && l.event === 'hunt-started')).toMatchObject({ hunt: 'logged', by: 'staff:log-dee' });

    const everything = server.output();
    for (const answer of Object.values(FOUR_CLUES.answers)) expect(everything).not.toContain(answer);
    expect(everything).not.toContain('testing the log');
  });

  it('says when a token is refused, without the token, once per 10 s however many come', async () => {
    const before = lines().filter((l) => l.msg === 'refused a connection: bad token').length;
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5Iiwicm9sZSI6Im9wZXJhdG9yIn0.c2lnbmF0dXJlLW9mLW5vYm9keQ';
    for (let i = 0; i < 4; i += 1) {
      const socket = new WebSocket(`${server.wsUrl}?token=${forged}`);
      await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    }
    const refusals = lines().filter((l) => l.msg === 'refused a connection: bad token');
    expect(refusals.length - before).toBe(1);
    expect(refusals.at(-1)).toMatchObject({ reason: 'invalid token' });
    expect(server.output()).not.toContain(forged);
  });
});
