import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fourClueHunt } from './hunts.js';
import { RawClient } from './raw-client.js';
import { httpGet } from './sdk-client.js';
import { disposeServer, startServerProcess, tokenFor, type ServerProcess } from './server-process.js';

/** The HTTP side of a real server process: health, readiness, Prometheus metrics, and what else answers. */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server: ServerProcess;
const sockets: RawClient[] = [];

beforeAll(async () => {
  server = await startServerProcess();
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await disposeServer(server);
});

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition. */
function parseMetrics(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const m = /^([A-Za-z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!m) return [];
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    return [{ name: m[1]!, labels, value: Number(m[3]) }];
  });
}

/** The value of metric `name` with (at least) `labels`, summed over the other labels; undefined when absent. */
function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
}

const scrape = async () => {
  const response = await httpGet(`${server.httpUrl}/metrics`);
  expect(response.status).toBe(200);
  return { samples: parseMetrics(response.body), body: response.body, contentType: response.headers.get('content-type') };
};

async function connect(subject: string, role: 'player' | 'designer' = 'player'): Promise<RawClient> {
  const socket = await RawClient.connect(server.wsUrl, await tokenFor(subject, role));
  sockets.push(socket);
  return socket;
}

describe('health', () => {
  it('/healthz answers 200 and /readyz 200 while the server serves', async () => {
    expect(await httpGet(`${server.httpUrl}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await httpGet(`${server.httpUrl}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });
  });
});

describe('metrics', () => {
  it('/metrics reports connections, frames, command durations, journal commits, active actors and rejections with the values of real play', async () => {
    const before = await scrape();
    expect(before.contentType).toMatch(/^text\/plain/);
    expect(valueOf(before.samples, 'cairn_connections')).toBe(0);

    const designer = await connect('http-dee', 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'metrics', commandId: 'm-spawn', definition: fourClueHunt() });
    await designer.ok({ type: 'admin.start', hunt: 'metrics', commandId: 'm-start' });
    const ann = await connect('http-ann');
    const bob = await connect('http-bob');
    await ann.ok({ type: 'join', hunt: 'metrics', commandId: 'm-ann' });
    await bob.ok({ type: 'join', hunt: 'metrics', commandId: 'm-bob' });
    await ann.ok({ type: 'submit', hunt: 'metrics', commandId: 'm-1', clue: 'c1', guess: { kind: 'answer', text: 'chalk' } });
    await ann.ok({ type: 'submit', hunt: 'metrics', commandId: 'm-2', clue: 'c1', guess: { kind: 'answer', text: 'granite' } });
    expect(await bob.fails({ type: 'submit', hunt: 'metrics', commandId: 'm-3', clue: 'c3', guess: { kind: 'code', code: 'x' } })).toMatchObject({ code: 'clue-locked' });
    bob.sendRaw(Uint8Array.of(0xc1));
    await bob.waitFor((m) => m.type === 'error');
    // A refused token is not a connection.
    const refused = await RawClient.open(server.wsUrl, 'not.a.jwt');
    sockets.push(refused);
    expect((await refused.waitClosed()).code).toBe(4001);

    const { samples, body } = await scrape();
    for (const name of ['cairn_connections', 'cairn_frames_in_total', 'cairn_command_duration_seconds', 'cairn_journal_commit_duration_seconds', 'cairn_active_actors', 'cairn_rejections_total']) {
      expect(body, name).toContain(`# TYPE ${name} `);
    }
    expect(valueOf(samples, 'cairn_connections')).toBe(3);
    expect(valueOf(samples, 'cairn_frames_in_total', { type: 'submit' })).toBe(3);
    expect(valueOf(samples, 'cairn_frames_in_total', { type: 'join' })).toBe(2);
    expect(valueOf(samples, 'cairn_frames_in_total', { type: 'admin.spawn' })).toBe(1);
    expect(valueOf(samples, 'cairn_command_duration_seconds_count', { type: 'submit' })).toBe(3);
    expect(valueOf(samples, 'cairn_command_duration_seconds_sum', { type: 'submit' })).toBeGreaterThan(0);
    expect(valueOf(samples, 'cairn_command_duration_seconds_bucket', { type: 'submit', le: '+Inf' })).toBe(3);
    // spawn, start, two joins, two guesses: at least one commit, at most one per event (players' records add a few).
    expect(valueOf(samples, 'cairn_journal_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'cairn_journal_commit_duration_seconds_sum')).toBeGreaterThan(0);
    expect(valueOf(samples, 'cairn_active_actors')).toBeGreaterThanOrEqual(3); // the hunt and two players
    expect(valueOf(samples, 'cairn_rejections_total', { code: 'clue-locked' })).toBe(1);
    expect(valueOf(samples, 'cairn_rejections_total', { code: 'malformed-frame' })).toBe(1);

    // The connection gauge follows sockets closing.
    await bob.close();
    let connections: number | undefined;
    for (let i = 0; i < 50 && connections !== 2; i++) {
      connections = valueOf((await scrape()).samples, 'cairn_connections');
      if (connections !== 2) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(connections).toBe(2);
  });
});

describe('metric names', () => {
  it('/metrics names Node\'s default metrics with one cairn_ prefix and reports the build', async () => {
    const { samples, body } = await scrape();
    expect(body).toContain('# TYPE cairn_process_cpu_seconds_total counter');
    expect(body).toContain('# TYPE cairn_process_resident_memory_bytes gauge');
    expect(body).toContain('# TYPE cairn_nodejs_heap_size_used_bytes gauge');
    expect(body).not.toMatch(/cairn_process_process_|cairn_process_nodejs_/);
    expect(valueOf(samples, 'cairn_process_cpu_seconds_total')).toBeGreaterThan(0);

    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const info = samples.filter((s) => s.name === 'cairn_build_info');
    expect(info).toEqual([{ name: 'cairn_build_info', labels: { version, node_version: process.version }, value: 1 }]);
  });

  it('an embedded process exports no cluster series (shards, bus, handoffs)', async () => {
    const { body } = await scrape();
    for (const name of ['cairn_owned_shards', 'cairn_shard_consumer_lag', 'cairn_shard_entities', 'cairn_bus_produce_duration_seconds', 'cairn_shard_handoff_duration_seconds']) {
      expect(body, name).not.toContain(`# TYPE ${name} `);
    }
    expect(body).toContain('# TYPE cairn_connections gauge');
  });
});

describe('other requests', () => {
  it('an unknown path is 404, other methods 405, a plain GET of /ws 426, and a WebSocket upgrade on another path is refused', async () => {
    expect((await httpGet(`${server.httpUrl}/nope`)).status).toBe(404);
    expect((await httpGet(`${server.httpUrl}/healthz/extra`)).status).toBe(404);
    expect((await httpGet(`${server.httpUrl}/`)).status).toBe(404);
    expect((await httpGet(`${server.httpUrl}/healthz`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await httpGet(`${server.httpUrl}/ws`)).status).toBe(426);
    await expect(RawClient.open(server.wsUrl.replace(/\/ws$/, '/elsewhere'), await tokenFor('lost'))).rejects.toThrow(/404/);

    // A raw request line the server cannot parse does not take it down.
    const { port } = new URL(server.httpUrl);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end('GARBAGE / HTTP/9.9\r\n\r\n'));
      socket.on('data', () => undefined);
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    expect((await httpGet(`${server.httpUrl}/healthz`)).status).toBe(200);
  });
});
