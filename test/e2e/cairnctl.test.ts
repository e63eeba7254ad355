import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { cairnctl, cairnctlSession } from './cairnctl-process.js';
import { EXAMPLE_HUNT_FILE, huntFile } from './hunts.js';
import { RawClient } from './raw-client.js';
import { disposeServer, freePort, removeDir, startServerProcess, TEST_SECRET, type ServerProcess } from './server-process.js';

/** The cairnctl CLI run for real, as a separate process, against a real server process. */

let server: ServerProcess;
let scratch: string;

/** The connection options every command gets: this server, and the secret it checks tokens with. */
const on = () => ['--url', server.wsUrl, '--secret', TEST_SECRET];

beforeAll(async () => {
  server = await startServerProcess();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cairnctl-e2e-'));
});

afterAll(async () => {
  await disposeServer(server);
  removeDir(scratch);
});

describe.concurrent('cairnctl', () => {
  it('play: finishing says so with the score, and a kick ends the session instead of leaving a dead prompt', { timeout: 60_000 }, async ({ expect }) => {
    const file = path.join(scratch, 'sprint.yaml');
    fs.writeFileSync(file, huntFile({ title: 'Sprint', maxPlayers: 10, order: 'free', clues: [{ id: 'only', answer: 'oak', points: 30 }] }));
    expect(await cairnctl([...on(), 'spawn', file, '--hunt', 'sprint'])).toMatchObject({ code: 0 });
    expect(await cairnctl([...on(), 'start', 'sprint'])).toMatchObject({ code: 0 });

    const session = cairnctlSession([...on(), 'play', 'sprint', '--as', 'Runner']);
    await session.until(/clues \(1 of 1 unlocked\)/);
    session.send('answer only oak');
    await session.until(/you finished the hunt: all 1 clues, 30 pts, rank 1 of 1/);
    expect(await cairnctl([...on(), 'kick', 'sprint', 'runner', '--reason', 'closing time'])).toMatchObject({ code: 0 });
    const ended = await session.exited();
    expect(ended.code, ended.stdout).toBe(0);
    expect(ended.stdout).toContain('you were removed from the hunt: closing time');
  });

  it('play in a team hunt without --team says to give it, and exits 1', { timeout: 60_000 }, async ({ expect }) => {
    const file = path.join(scratch, 'teams.yaml');
    fs.writeFileSync(file, huntFile({ title: 'Relay', maxPlayers: 10, teams: { maxTeamSize: 3 }, clues: [{ id: 'baton', answer: 'oak' }] }));
    expect(await cairnctl([...on(), 'spawn', file, '--hunt', 'relay'])).toMatchObject({ code: 0 });
    const played = await cairnctl([...on(), 'play', 'relay', '--as', 'Lone Wolf']);
    expect(played.code, played.stderr).toBe(1);
    expect(played.stderr).toMatch(/team-required|played in teams/);
    expect(played.stderr).toContain('--team <team>');
  });

  it('spawns the example hunt and starts it, and status then shows it running (exit code 0 each time)', { timeout: 60_000 }, async ({ expect }) => {
    const spawned = await cairnctl([...on(), 'spawn', EXAMPLE_HUNT_FILE, '--hunt', 'old-town']);
    expect(spawned, spawned.stderr).toMatchObject({ code: 0, stdout: 'spawned hunt old-town: Old Town Trail (4 clues)\n' });
    const started = await cairnctl([...on(), 'start', 'old-town']);
    expect(started, started.stderr).toMatchObject({ code: 0, stdout: 'hunt old-town: started\n' });

    const [text, json, again] = await Promise.all([
      cairnctl([...on(), 'status', 'old-town']),
      cairnctl([...on(), 'status', 'old-town', '--json']),
      cairnctl([...on(), 'spawn', EXAMPLE_HUNT_FILE, '--hunt', 'old-town']),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Old Town Trail \(old-town\): running, linear order$/m);
    expect(text.stdout).toMatch(/players: 0\/50 +clues: fountain, clock-tower, bakery-year, city-gate/);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ title: 'Old Town Trail', status: 'running', players: 0, maxPlayers: 50, updateSeq: 2 });
    // The id is taken now: the server refuses, which is exit code 1.
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('hunt-exists');
  });

  it('a hunt file with mistakes is refused with exit code 2, naming the file and the line of each mistake', { timeout: 30_000 }, async ({ expect }) => {
    const file = path.join(scratch, 'broken-hunt.yaml');
    fs.writeFileSync(
      file,
      ['title: Broken', 'maxPlayers: 0', 'order: sideways', 'clues:', '  - title: The well', '    text: Where is it?', '    points: -3', '    answer: 42', ''].join('\n'),
    );
    const run = await cairnctl([...on(), 'spawn', file, '--hunt', 'broken']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n');
    expect(lines[0]).toBe(`cairnctl: ${file} has mistakes:`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${escape(file)}:2:\\d+ maxPlayers: `)),
        expect.stringMatching(new RegExp(`^${escape(file)}:3:\\d+ order: `)),
        expect.stringMatching(new RegExp(`^${escape(file)}:7:\\d+ clues\\[0\\]\\.points: `)),
        expect.stringMatching(new RegExp(`^${escape(file)}:8:\\d+ clues\\[0\\]\\.answer: .*quotes`)),
      ]),
    );
    // Nothing reached the server.
    const status = await cairnctl([...on(), 'status', 'broken']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('hunt-not-found');
  });

  it('an unknown hunt is exit code 1 with the server\'s reason', { timeout: 30_000 }, async ({ expect }) => {
    const [status, start] = await Promise.all([cairnctl([...on(), 'status', 'no-such-hunt']), cairnctl([...on(), 'start', 'no-such-hunt'])]);
    for (const run of [status, start]) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/^cairnctl: hunt-not-found: /);
    }
  });

  it('an unreachable server is exit code 3', { timeout: 30_000 }, async ({ expect }) => {
    const port = await freePort(); // nothing listens there
    const run = await cairnctl(['--url', `ws://127.0.0.1:${port}/ws`, '--secret', TEST_SECRET, 'status', 'old-town']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`cannot reach Cairn at ws://127.0.0.1:${port}/ws`);
  });

  it('token prints a JWT that the server accepts; one signed with another secret is refused', { timeout: 30_000 }, async ({ expect }) => {
    const [player, designer, devSecret, badRole] = await Promise.all([
      cairnctl(['--secret', TEST_SECRET, 'token', '--sub', 'zed', '--role', 'player', '--name', 'Zed', '--ttl', '10m']),
      cairnctl(['--secret', TEST_SECRET, 'token', '--sub', 'cli-dee', '--role', 'designer']),
      cairnctl(['token', '--sub', 'zed']),
      cairnctl(['--secret', TEST_SECRET, 'token', '--sub', 'zed', '--role', 'king']),
    ]);
    for (const run of [player, designer, devSecret]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    }
    expect(badRole.code).toBe(2);

    const asPlayer = await RawClient.connect(server.wsUrl, player.stdout.trim());
    expect(asPlayer.messages[0]).toMatchObject({ type: 'welcome', subject: 'zed', role: 'player' });
    const claims = JSON.parse(Buffer.from(player.stdout.split('.')[1]!, 'base64url').toString()) as { exp: number; name: string };
    expect(claims.name).toBe('Zed');
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(500);
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(600);
    await asPlayer.close();

    const asDesigner = await RawClient.connect(server.wsUrl, designer.stdout.trim());
    expect(await asDesigner.fails({ type: 'admin.status', hunt: 'nothing-here' })).toMatchObject({ code: 'hunt-not-found' });
    await asDesigner.close();

    // Signed with the development secret, which this server does not use.
    const refused = await RawClient.open(server.wsUrl, devSecret.stdout.trim());
    expect(await refused.waitClosed()).toMatchObject({ code: 4001 });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
