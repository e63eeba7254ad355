import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WS, WebSocketServer } from 'ws';
import { decodeFrame, encodeMessage } from '../../protocol/codec.js';
import type { ErrorBody, ServerMessage, WelcomeMessage } from '../../protocol/server-messages.js';
import type { PlayerView } from '../../protocol/views.js';
import {
  CairnClient,
  CairnConnectionError,
  CairnRequestError,
  createCairnClient,
  type CairnClientEvents,
  type CairnClientOptions,
} from '../../src/client/index.js';

// ---------------------------------------------------------------------------------------------
// A scripted fake server: real sockets, replies written by each test.
// ---------------------------------------------------------------------------------------------

type Received = Record<string, unknown> & { readonly id: number; readonly type: string };

class FakeConnection {
  readonly received: Received[] = [];
  readonly receivedAt: number[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(
    readonly ws: WS,
    readonly url: string,
  ) {
    ws.on('message', (data: Buffer) => {
      this.received.push(decodeFrame(new Uint8Array(data)) as Received);
      this.receivedAt.push(performance.now());
      this.wake?.();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  get token(): string | null {
    return new URL(this.url, 'http://x').searchParams.get('token');
  }

  /** The next message this connection received (in order), waiting for it if need be. */
  async next(timeoutMs = 2_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.received.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('the fake server received nothing in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.received[this.cursor++]!;
  }

  send(message: ServerMessage | Record<string, unknown>): void {
    this.ws.send(encodeMessage(message));
  }

  welcome(overrides: Partial<WelcomeMessage> = {}): void {
    this.send({ ...WELCOME, ...overrides });
  }

  reply(id: number, result: unknown): void {
    this.send({ type: 'reply', id, ok: true, result });
  }

  fail(id: number, error: ErrorBody): void {
    this.send({ type: 'reply', id, ok: false, error });
  }

  update(hunt: string, update: number, changes: unknown[] = [{ kind: 'announcement', message: `u${update}`, at: 1 }]): void {
    this.send({ type: 'update', hunt, update, changes });
  }

  close(code: number, reason = ''): void {
    this.ws.close(code, reason);
  }
}

class FakeServer {
  readonly connections: FakeConnection[] = [];
  readonly connectedAt: number[] = [];
  private waiting: ((conn: FakeConnection) => void)[] = [];

  private constructor(
    private readonly wss: WebSocketServer,
    /** What every new connection gets first; by default a welcome. */
    public onConnection: (conn: FakeConnection, index: number) => void,
  ) {
    wss.on('connection', (ws: WS, req: IncomingMessage) => {
      const conn = new FakeConnection(ws, req.url ?? '');
      this.connections.push(conn);
      this.connectedAt.push(performance.now());
      this.onConnection(conn, this.connections.length - 1);
      const waiting = this.waiting;
      this.waiting = [];
      for (const wake of waiting) wake(conn);
    });
  }

  static async start(onConnection: (conn: FakeConnection, index: number) => void = (conn) => conn.welcome()): Promise<FakeServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const server = new FakeServer(wss, onConnection);
    servers.push(server);
    return server;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws`;
  }

  /** The connection number `index` (0-based), waiting for it if need be. */
  async connection(index: number, timeoutMs = 2_000): Promise<FakeConnection> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length <= index) {
      if (Date.now() > deadline) throw new Error(`no connection #${index} in time`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.connections[index]!;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

const WELCOME: WelcomeMessage = { type: 'welcome', protocol: 1, subject: 'p1', role: 'player', heartbeatMs: 60_000, serverTime: Date.now(), hunts: [] };

const VIEW = (updateSeq: number): PlayerView => ({
  title: 'Hunt',
  description: '',
  status: 'running',
  order: 'free',
  totalClues: 1,
  you: { playerId: 'p1', displayName: 'P1', competitorId: 'p1', points: 0 },
  clues: [],
  leaderboard: { top: [], total: 1 },
  announcements: [],
  updateSeq,
});

const SUMMARY = (updateSeq: number) => ({
  title: 'Hunt',
  status: 'running',
  order: 'free',
  players: 1,
  maxPlayers: 10,
  clues: [],
  leaderboard: [],
  updateSeq,
});

const servers: FakeServer[] = [];
const clients: CairnClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function makeClient(server: FakeServer, options: Partial<CairnClientOptions> = {}): CairnClient {
  const client = createCairnClient({
    url: server.url,
    token: 'tok-1',
    WebSocket: WS,
    requestTimeoutMs: 1_000,
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
    retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  clients.push(client);
  return client;
}

/** Collects every payload of `event`. */
function record<K extends keyof CairnClientEvents>(client: CairnClient, event: K): CairnClientEvents[K][] {
  const seen: CairnClientEvents[K][] = [];
  client.on(event, (payload) => seen.push(payload));
  return seen;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects and waits until the connection is usable (the `connected` event follows the welcome). */
async function connectReady(client: CairnClient): Promise<void> {
  const ready = client.next('connected');
  await client.connect();
  await ready;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Connects and joins `hunt`, whose view is at update `updateSeq`. */
async function joined(server: FakeServer, client: CairnClient, hunt: string, updateSeq: number): Promise<FakeConnection> {
  await client.connect();
  const conn = await server.connection(server.connections.length - 1);
  const joining = client.join(hunt, { displayName: 'P1' });
  const join = await conn.next();
  expect(join).toMatchObject({ type: 'join', hunt, displayName: 'P1' });
  conn.reply(join.id, { view: VIEW(updateSeq) });
  await joining;
  return conn;
}

// ---------------------------------------------------------------------------------------------

describe('connecting', () => {
  it('resolves with the welcome and sends the token (fetched by a function) in the URL', async () => {
    const server = await FakeServer.start((conn) => conn.welcome({ hunts: [{ hunt: 'h9', competitorId: 'p1' }] }));
    const client = makeClient(server, { token: async () => 'fresh-token' });
    const connected = client.next('connected');
    const welcome = await client.connect();
    expect(welcome).toMatchObject({ type: 'welcome', subject: 'p1', role: 'player' });
    expect(client.welcome?.hunts).toEqual([{ hunt: 'h9', competitorId: 'p1' }]);
    expect((await server.connection(0)).token).toBe('fresh-token');
    expect(await connected).toMatchObject({ reconnected: false });
    expect(client.state).toBe('ready');
    // Hunts of the welcome are the app's to resume: nothing is sent on its own.
    await sleep(20);
    expect(server.connections[0]!.received).toEqual([]);
  });

  it('loads ws by itself when no WebSocket is given and none is global', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server, { WebSocket: undefined });
    await expect(client.connect()).resolves.toMatchObject({ type: 'welcome' });
  });

  it('rejects with a CairnConnectionError when the server closes with 4001 before welcoming', async () => {
    const server = await FakeServer.start((conn) => conn.close(4001, 'bad token'));
    const client = makeClient(server);
    const unauthorized = record(client, 'unauthorized');
    const error = await rejection(client.connect());
    expect(error).toBeInstanceOf(CairnConnectionError);
    expect(error).toMatchObject({ code: 4001, reason: 'bad token' });
    expect(unauthorized).toEqual([{ code: 4001, reason: 'bad token' }]);
    expect(client.state).toBe('closed');
    await sleep(30);
    expect(server.connections).toHaveLength(1);
  });
});

describe('requests', () => {
  it('correlates replies that come out of order', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    await client.connect();
    const conn = await server.connection(0);
    const ping = client.ping();
    const status = client.request({ type: 'admin.status', hunt: 'h1' });
    const submit = client.submit('h1', 'c1', { kind: 'answer', text: 'oak' });
    const [a, b, c] = [await conn.next(), await conn.next(), await conn.next()];
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(c).toMatchObject({ type: 'submit', hunt: 'h1', clue: 'c1', guess: { kind: 'answer', text: 'oak' } });
    expect(typeof c.commandId).toBe('string');
    expect(a.commandId).toBeUndefined();
    const submitResult = { correct: true, points: 10, bonus: 0, attemptsLeft: null, duplicate: false, update: 7 };
    conn.reply(c.id, submitResult);
    conn.reply(b.id, { summary: SUMMARY(3) });
    conn.reply(a.id, { serverTime: 42 });
    expect(await ping).toEqual({ serverTime: 42 });
    expect((await status).summary.updateSeq).toBe(3);
    expect(await submit).toEqual(submitResult);
  });

  it('rejects with a retriable timeout error when no reply comes', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server, { requestTimeoutMs: 80 });
    await client.connect();
    const started = performance.now();
    const error = await rejection(client.ping());
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(error).toBeInstanceOf(CairnRequestError);
    expect(error).toMatchObject({ code: 'timeout', retriable: true, requestType: 'ping' });
  });

  it('turns an error reply into a CairnRequestError with its fields, without retrying', async () => {
    const server = await FakeServer.start((conn) => conn.welcome({ role: 'designer' }));
    const client = makeClient(server);
    await client.connect();
    const conn = await server.connection(0);
    const spawning = client.spawn('h1', 'title: [');
    const sent = await conn.next();
    expect(sent).toMatchObject({ type: 'admin.spawn', hunt: 'h1', definition: 'title: [' });
    const details = [{ path: 'title', message: 'bad YAML', line: 1, column: 8 }];
    conn.fail(sent.id, { code: 'invalid-definition', message: 'the hunt file has 1 mistake', retriable: false, details });
    const error = await rejection(spawning);
    expect(error).toBeInstanceOf(CairnRequestError);
    expect(error).toMatchObject({
      code: 'invalid-definition',
      message: 'the hunt file has 1 mistake',
      retriable: false,
      retryAfterMs: undefined,
      details,
      requestType: 'admin.spawn',
      commandId: sent.commandId,
    });
    await sleep(30);
    expect(conn.received).toHaveLength(1);
  });

  it('retries a retriable error with the same commandId and a new id', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    await client.connect();
    const conn = await server.connection(0);
    const submitting = client.submit('h1', 'c1', { kind: 'code', code: 'X1' });
    const first = await conn.next();
    conn.fail(first.id, { code: 'unavailable', message: 'storage down', retriable: true });
    const second = await conn.next();
    expect(second.commandId).toBe(first.commandId);
    expect(second.id).not.toBe(first.id);
    const result = { correct: false, points: -1, bonus: 0, attemptsLeft: 2, duplicate: false, update: 4 };
    conn.reply(second.id, result);
    expect(await submitting).toEqual(result);
  });

  it("stamps a command once with issuedAt in the server's time (offset from the welcome) and resends it unchanged", async () => {
    const serverAhead = 3_600_000;
    const server = await FakeServer.start((conn) => conn.welcome({ serverTime: Date.now() + serverAhead }));
    const client = makeClient(server);
    await client.connect();
    const conn = await server.connection(0);
    const before = Date.now();
    const submitting = client.submit('h1', 'c1', { kind: 'code', code: 'X1' });
    const first = await conn.next();
    expect(first.issuedAt).toBeGreaterThanOrEqual(before + serverAhead - 50);
    expect(first.issuedAt).toBeLessThanOrEqual(Date.now() + serverAhead + 50);
    await sleep(20);
    conn.fail(first.id, { code: 'unavailable', message: 'storage down', retriable: true });
    const second = await conn.next();
    expect(second).toMatchObject({ commandId: first.commandId, issuedAt: first.issuedAt });
    conn.reply(second.id, { correct: false, points: -1, bonus: 0, attemptsLeft: 2, duplicate: false, update: 4 });
    await submitting;
  });

  it('retries after a timeout with the same commandId, and gives up after maxRetries', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server, { requestTimeoutMs: 40, maxRetries: 2 });
    await client.connect();
    const conn = await server.connection(0);
    const error = await rejection(client.hint('h1', 'c1', 0));
    expect(error).toMatchObject({ code: 'timeout', retriable: true, requestType: 'hint' });
    const sent = conn.received.filter((m) => m.type === 'hint');
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((m) => m.commandId)).size).toBe(1);
    expect(new Set(sent.map((m) => m.id)).size).toBe(3);
  });

  it('waits at least retryAfterMs before retrying a rate-limited command', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    await client.connect();
    const conn = await server.connection(0);
    const submitting = client.submit('h1', 'c1', { kind: 'location', latitude: 1, longitude: 2 });
    const first = await conn.next();
    conn.fail(first.id, { code: 'rate-limited', message: 'too many guesses', retriable: true, retryAfterMs: 150 });
    const second = await conn.next();
    expect(second.commandId).toBe(first.commandId);
    expect(conn.receivedAt[1]! - conn.receivedAt[0]!).toBeGreaterThanOrEqual(149);
    conn.reply(second.id, { correct: true, points: 5, bonus: 0, attemptsLeft: null, duplicate: false, update: 2 });
    await expect(submitting).resolves.toMatchObject({ correct: true });
  });

  it('retries a too-fast guess with the same commandId once retryAfterMs has passed, like rate-limited', async () => {
    const server = await FakeServer.start();
    // A jitter of 0 would let a retry come early if the client ignored retryAfterMs.
    const client = makeClient(server, { random: () => 0 });
    await client.connect();
    const conn = await server.connection(0);
    const submitting = client.submit('h1', 'c1', { kind: 'answer', text: 'oak' });
    const first = await conn.next();
    conn.fail(first.id, { code: 'too-fast', message: 'wait 1 s before guessing again', retriable: true, retryAfterMs: 120 });
    const second = await conn.next();
    expect(second).toMatchObject({ type: 'submit', commandId: first.commandId, guess: { kind: 'answer', text: 'oak' } });
    expect(second.id).not.toBe(first.id);
    expect(conn.receivedAt[1]! - conn.receivedAt[0]!).toBeGreaterThanOrEqual(119);
    conn.reply(second.id, { correct: true, points: 5, bonus: 0, attemptsLeft: null, duplicate: false, update: 2 });
    await expect(submitting).resolves.toMatchObject({ correct: true });
  });

  it('gives a too-fast whose wait is longer than it waits out by itself to the caller instead of sending the guess that much later', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    await client.connect();
    const conn = await server.connection(0);
    const submitting = client.submit('h1', 'c1', { kind: 'answer', text: 'oak' });
    const first = await conn.next();
    conn.fail(first.id, { code: 'too-fast', message: 'wait 300 s before guessing again', retriable: true, retryAfterMs: 300_000 });
    await expect(submitting).rejects.toMatchObject({ code: 'too-fast', retryAfterMs: 300_000 });
    const ping = client.ping();
    const next = await conn.next();
    expect(next.type, 'the next frame is the ping, not the guess again').toBe('ping');
    conn.reply(next.id, { serverTime: 1 });
    await ping;
    expect(conn.receivedAt).toHaveLength(2);
  });

  it('retries an overloaded command with the same commandId after retryAfterMs plus a growing jitter, then gives up with overloaded', async () => {
    const server = await FakeServer.start();
    // random 0.5: half of a jitter ceiling that starts at retryAfterMs (60) and doubles per retry.
    const client = makeClient(server, { random: () => 0.5, maxRetries: 2, retryBackoff: { initialDelayMs: 5, maxDelayMs: 1_000 } });
    await client.connect();
    const conn = await server.connection(0);
    const announcing = rejection(client.announce('h1', 'tea at four'));
    const overloaded = { code: 'overloaded', message: 'server overloaded', retriable: true, retryAfterMs: 60 };
    for (let attempt = 0; attempt < 3; attempt++) conn.fail((await conn.next()).id, overloaded);
    const error = await announcing;
    expect(error).toBeInstanceOf(CairnRequestError);
    expect(error).toMatchObject({ code: 'overloaded', retriable: true, retryAfterMs: 60, requestType: 'admin.announce' });
    const sent = conn.received.filter((m) => m.type === 'admin.announce');
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((m) => m.commandId)).size).toBe(1);
    expect((error as CairnRequestError).commandId).toBe(sent[0]!.commandId);
    const gaps = [conn.receivedAt[1]! - conn.receivedAt[0]!, conn.receivedAt[2]! - conn.receivedAt[1]!];
    expect(gaps[0]).toBeGreaterThanOrEqual(60 + 30 - 1);
    expect(gaps[1]).toBeGreaterThanOrEqual(60 + 60 - 1);
  });
});

describe('reconnecting and resuming', () => {
  it('after a 1012 close: resumes the joined hunt, then resends the pending command with its commandId', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server, { random: () => 0.5 });
    const updates = record(client, 'update');
    const resumed = record(client, 'resumed');
    const disconnected = record(client, 'disconnected');
    const conn1 = await joined(server, client, 'h1', 3);
    expect(client.lastUpdate('h1')).toBe(3);
    conn1.update('h1', 4);
    await client.next('update');
    expect(client.lastUpdate('h1')).toBe(4);

    const submitting = client.submit('h1', 'c1', { kind: 'answer', text: 'oak' });
    const lost = await conn1.next();
    expect(lost.type).toBe('submit');
    conn1.close(1012, 'restarting');

    const conn2 = await server.connection(1);
    const resume = await conn2.next();
    expect(resume).toMatchObject({ type: 'resume', hunt: 'h1', after: 4 });
    // Nothing else is sent before the resume is answered.
    await sleep(20);
    expect(conn2.received).toHaveLength(1);
    conn2.update('h1', 5);
    conn2.reply(resume.id, { resync: false, replayed: 1, updateSeq: 5 });
    const resent = await conn2.next();
    expect(resent).toMatchObject({ type: 'submit', commandId: lost.commandId });
    expect(resent.id).not.toBe(lost.id);
    conn2.reply(resent.id, { correct: true, points: 10, bonus: 0, attemptsLeft: null, duplicate: true, update: 6 });
    await expect(submitting).resolves.toMatchObject({ correct: true, duplicate: true });

    expect(disconnected[0]).toEqual({ code: 1012, reason: 'restarting', willReconnect: true });
    expect(resumed).toEqual([{ hunt: 'h1', complete: true, replayed: 1, updateSeq: 5 }]);
    expect(updates.map((u) => u.update)).toEqual([4, 5]);
    expect(client.lastUpdate('h1')).toBe(5);
    expect(client.subscriptions()).toEqual([{ hunt: 'h1', as: 'player' }]);
  });

  it('reports a resync as an incomplete resume carrying the whole view', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    const conn1 = await joined(server, client, 'h1', 3);
    conn1.close(1012);
    const conn2 = await server.connection(1);
    const resume = await conn2.next();
    expect(resume).toMatchObject({ type: 'resume', hunt: 'h1', after: 3 });
    const gotResumed = client.next('resumed');
    conn2.reply(resume.id, { resync: true, replayed: 0, updateSeq: 2000, view: VIEW(2000) });
    const event = await gotResumed;
    expect(event).toMatchObject({ hunt: 'h1', complete: false, replayed: 0, updateSeq: 2000 });
    expect(event.view?.updateSeq).toBe(2000);
    expect(client.lastUpdate('h1')).toBe(2000);
  });

  it('requests made while disconnected wait for the reconnection; unknown welcome hunts are not resumed', async () => {
    const server = await FakeServer.start((conn, index) =>
      index === 0 ? conn.welcome() : setTimeout(() => conn.welcome({ hunts: [{ hunt: 'other', competitorId: 'p1' }] }), 40),
    );
    const client = makeClient(server);
    await client.connect();
    (await server.connection(0)).close(1001, 'going away');
    await client.next('disconnected');
    const pinging = client.ping();
    const conn2 = await server.connection(1);
    const ping = await conn2.next();
    expect(ping.type).toBe('ping');
    conn2.reply(ping.id, { serverTime: 1 });
    await expect(pinging).resolves.toEqual({ serverTime: 1 });
    expect(conn2.received).toHaveLength(1);
  });

  it('watches staff hunts again after a reconnect and reports the summary', async () => {
    const server = await FakeServer.start((conn) => conn.welcome({ role: 'operator' }));
    const client = makeClient(server);
    await client.connect();
    const conn1 = await server.connection(0);
    const watching = client.watch('h1');
    const watch = await conn1.next();
    conn1.reply(watch.id, { summary: SUMMARY(8) });
    await watching;
    expect(client.subscriptions()).toEqual([{ hunt: 'h1', as: 'staff' }]);
    conn1.close(4002, 'slow consumer');
    const conn2 = await server.connection(1);
    const again = await conn2.next();
    expect(again).toMatchObject({ type: 'admin.watch', hunt: 'h1' });
    const gotResumed = client.next('resumed');
    conn2.reply(again.id, { summary: SUMMARY(12) });
    expect(await gotResumed).toMatchObject({ hunt: 'h1', complete: false, updateSeq: 12, summary: { updateSeq: 12 } });
    expect(client.lastUpdate('h1')).toBe(12);
  });

  it('drops a subscription whose resume is refused for good', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    const conn1 = await joined(server, client, 'h1', 3);
    conn1.close(1012);
    const conn2 = await server.connection(1);
    const resume = await conn2.next();
    const failed = client.next('resumeFailed');
    conn2.fail(resume.id, { code: 'player-banned', message: 'you were removed', retriable: false });
    expect((await failed).error.code).toBe('player-banned');
    await client.next('connected');
    expect(client.subscriptions()).toEqual([]);
  });

  it('drops update frames whose number is not above the last one seen', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    const updates = record(client, 'update');
    const conn = await joined(server, client, 'h1', 3);
    for (const n of [2, 3, 4, 4, 3, 6, 5, 7]) conn.update('h1', n);
    await sleep(30);
    expect(updates.map((u) => u.update)).toEqual([4, 6, 7]);
    expect(client.lastUpdate('h1')).toBe(7);
  });

  it('forgets a hunt after a kicked change or a leave', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    const conn = await joined(server, client, 'h1', 3);
    conn.update('h1', 4, [{ kind: 'kicked', reason: 'cheating' }]);
    const update = await client.next('update');
    expect(update.changes).toEqual([{ kind: 'kicked', reason: 'cheating' }]);
    expect(client.subscriptions()).toEqual([]);

    const joining = client.join('h2');
    const join = await conn.next();
    conn.reply(join.id, { view: VIEW(1) });
    await joining;
    expect(client.subscriptions()).toEqual([{ hunt: 'h2', as: 'player' }]);
    const leaving = client.leave('h2');
    const leave = await conn.next();
    expect(leave).toMatchObject({ type: 'leave', hunt: 'h2' });
    conn.reply(leave.id, { duplicate: false, update: 2 });
    await leaving;
    expect(client.subscriptions()).toEqual([]);
  });

  it('with several URLs, reconnects to the next gateway after a 1012 and resends the pending command there', async () => {
    const first = await FakeServer.start();
    const second = await FakeServer.start();
    const client = makeClient(first, { url: [first.url, second.url] });
    await client.connect();
    const conn = await first.connection(0);
    const submitting = client.submit('h1', 'c1', { kind: 'code', code: 'X1' });
    const lost = await conn.next();
    conn.close(1012, 'restarting');
    const moved = await second.connection(0);
    const resent = await moved.next();
    expect(resent).toMatchObject({ type: 'submit', commandId: lost.commandId });
    const result = { correct: true, points: 10, bonus: 0, attemptsLeft: null, duplicate: true, update: 6 };
    moved.reply(resent.id, result);
    expect(await submitting).toEqual(result);
    expect(first.connections).toHaveLength(1);
  });

  it('does not reconnect after 4001: emits unauthorized and rejects pending requests with closed', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    const unauthorized = record(client, 'unauthorized');
    const disconnected = record(client, 'disconnected');
    await client.connect();
    const conn = await server.connection(0);
    const pinging = client.ping();
    await conn.next();
    conn.close(4001, 'token expired');
    const error = await rejection(pinging);
    expect(error).toMatchObject({ code: 'closed', retriable: false });
    expect(unauthorized).toEqual([{ code: 4001, reason: 'token expired' }]);
    expect(disconnected).toEqual([{ code: 4001, reason: 'token expired', willReconnect: false }]);
    await sleep(50);
    expect(server.connections).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('does not reconnect after a 1008 policy close', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    const unauthorized = record(client, 'unauthorized');
    await client.connect();
    const closed = client.next('disconnected');
    (await server.connection(0)).close(1008, 'too many invalid frames');
    expect(await closed).toEqual({ code: 1008, reason: 'too many invalid frames', willReconnect: false });
    await sleep(50);
    expect(server.connections).toHaveLength(1);
    expect(unauthorized).toEqual([]);
  });

  it('backs off with full jitter, growing up to the cap, and resets after a welcome', async () => {
    // Connection 0 is welcomed then dropped; 1-5 are dropped before any welcome; 6 is welcomed.
    const server = await FakeServer.start((conn, index) => {
      if (index === 0 || index === 6) conn.welcome();
      else conn.close(1011, 'not ready');
    });
    const client = makeClient(server, { random: () => 0.5, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    const reconnecting = record(client, 'reconnecting');
    await connectReady(client);
    (await server.connection(0)).close(1011, 'crash');
    await client.next('connected');
    expect(server.connections).toHaveLength(7);
    const delays = reconnecting.map((r) => r.delayMs);
    expect(delays).toEqual([10, 20, 40, 50, 50, 50]);
    expect(reconnecting.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    // Each wait was honoured (the server saw the attempts at least that far apart).
    for (let i = 1; i < server.connectedAt.length; i++) {
      expect(server.connectedAt[i]! - server.connectedAt[i - 1]!).toBeGreaterThanOrEqual(delays[i - 1]! - 1);
    }
    // Welcomed again: the next drop starts from the first step.
    server.onConnection = (conn) => conn.welcome();
    (await server.connection(6)).close(1011);
    await client.next('connected');
    expect(reconnecting.at(-1)).toMatchObject({ attempt: 1, delayMs: 10 });
  });

  it('keeps every delay within [0, ceiling] for any random value', async () => {
    let r = 0;
    const values = [0, 0.999, 0.3, 0.999, 0];
    const server = await FakeServer.start((conn, index) => (index === 0 || index === 5 ? conn.welcome() : conn.close(1011)));
    const client = makeClient(server, { random: () => values[r++ % values.length]!, reconnect: { initialDelayMs: 8, maxDelayMs: 30 } });
    const reconnecting = record(client, 'reconnecting');
    await connectReady(client);
    (await server.connection(0)).close(1011);
    await client.next('connected');
    const ceilings = [8, 16, 30, 30, 30];
    reconnecting.forEach((r, i) => {
      expect(r.delayMs).toBeGreaterThanOrEqual(0);
      expect(r.delayMs).toBeLessThanOrEqual(ceilings[i]!);
    });
    expect(reconnecting.map((r) => r.delayMs)).toEqual([0, 15, 9, 29, 0]);
  });

  it('pings after a silence of 2 × heartbeat and reconnects when the ping is not answered', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server, { heartbeatMs: 30, requestTimeoutMs: 500 });
    const disconnected = record(client, 'disconnected');
    await client.connect();
    const conn1 = await server.connection(0);
    const ping = await conn1.next(500);
    expect(ping.type).toBe('ping');
    // The silent server is given up on (after min(timeout, 2 × heartbeat)) and a new connection made.
    const conn2 = await server.connection(1, 1_000);
    expect(disconnected[0]).toMatchObject({ reason: 'heartbeat timeout', willReconnect: true });
    // This server answers pings: no further reconnection.
    const ping2 = await conn2.next(500);
    expect(ping2.type).toBe('ping');
    conn2.reply(ping2.id, { serverTime: 1 });
    await sleep(50);
    expect(server.connections).toHaveLength(2);
    expect((await conn1.closed).code).toBe(1006);
  });
});

describe('closing', () => {
  it('close() rejects pending requests with closed and stops reconnecting', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    const disconnected = record(client, 'disconnected');
    await client.connect();
    const conn = await server.connection(0);
    const pending = rejection(client.submit('h1', 'c1', { kind: 'answer', text: 'x' }));
    await conn.next();
    await client.close();
    const error = await pending;
    expect(error).toBeInstanceOf(CairnRequestError);
    expect(error).toMatchObject({ code: 'closed', retriable: false });
    expect(disconnected).toEqual([{ code: 1000, reason: 'client closed', willReconnect: false }]);
    expect((await conn.closed).code).toBe(1000);
    await expect(client.ping()).rejects.toMatchObject({ code: 'closed' });
    await sleep(30);
    expect(server.connections).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('close() during a reconnection backoff cancels it', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server, { reconnect: { initialDelayMs: 200, maxDelayMs: 200 }, random: () => 0.9 });
    await client.connect();
    const gone = client.next('reconnecting');
    (await server.connection(0)).close(1011);
    await gone;
    const pinging = rejection(client.ping());
    await client.close();
    expect(await pinging).toMatchObject({ code: 'closed' });
    await sleep(250);
    expect(server.connections).toHaveLength(1);
  });

  it('after 4001, connect() again (with a fresh token) restores the hunts followed before', async () => {
    const server = await FakeServer.start();
    let tokens = 0;
    const client = makeClient(server, { token: () => `tok-${++tokens}` });
    const conn1 = await joined(server, client, 'h1', 3);
    const unauthorized = client.next('unauthorized');
    conn1.close(4001, 'token expired');
    await unauthorized;
    expect(client.state).toBe('closed');
    await client.connect();
    const conn2 = await server.connection(1);
    expect(conn2.token).toBe('tok-2');
    const resume = await conn2.next();
    expect(resume).toMatchObject({ type: 'resume', hunt: 'h1', after: 3 });
    const connected = client.next('connected');
    conn2.reply(resume.id, { resync: false, replayed: 0, updateSeq: 3 });
    expect(await connected).toMatchObject({ reconnected: false });
  });
});

describe('more behaviour', () => {
  it('fetches a fresh token for every reconnection', async () => {
    const server = await FakeServer.start();
    let tokens = 0;
    const client = makeClient(server, { token: async () => `tok-${++tokens}` });
    await connectReady(client);
    (await server.connection(0)).close(1012);
    const conn2 = await server.connection(1);
    expect(server.connections.map((c) => c.token)).toEqual(['tok-1', 'tok-2']);
    expect(conn2.received).toEqual([]);
  });

  it('sends requests made before connect() once connected', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    const pinging = client.ping();
    await client.connect();
    const conn = await server.connection(0);
    const ping = await conn.next();
    conn.reply(ping.id, { serverTime: 9 });
    await expect(pinging).resolves.toEqual({ serverTime: 9 });
  });

  it('rejects connect() with code 1006 when nothing listens', async () => {
    const server = await FakeServer.start();
    const url = server.url;
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
    const client = createCairnClient({ url, token: 't', WebSocket: WS, requestTimeoutMs: 500 });
    clients.push(client);
    const error = await rejection(client.connect());
    expect(error).toBeInstanceOf(CairnConnectionError);
    expect(error).toMatchObject({ code: 1006 });
  });

  it('rejects connect() when no welcome comes in time', async () => {
    const server = await FakeServer.start(() => undefined);
    const client = makeClient(server, { connectTimeoutMs: 50 });
    const error = await rejection(client.connect());
    expect(error).toMatchObject({ code: 1006, reason: 'no welcome in time' });
  });

  it('emits error frames and ignores replies to requests it no longer waits for', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server, { requestTimeoutMs: 40 });
    await client.connect();
    const conn = await server.connection(0);
    const error = client.next('error');
    conn.send({ type: 'error', error: { code: 'malformed-frame', message: 'frames must be binary (msgpack)', retriable: false } });
    expect(await error).toMatchObject({ type: 'error', error: { code: 'malformed-frame' } });
    const late = rejection(client.ping());
    const ping = await conn.next();
    expect(await late).toMatchObject({ code: 'timeout' });
    conn.reply(ping.id, { serverTime: 1 });
    const next = client.ping();
    const ping2 = await conn.next();
    conn.reply(ping2.id, { serverTime: 2 });
    await expect(next).resolves.toEqual({ serverTime: 2 });
  });

  it('backs off longer after 1013 and reconnects at once (with a small jitter) after 1012', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server, { random: () => 0.5, reconnect: { initialDelayMs: 10, maxDelayMs: 1_000 } });
    const reconnecting = record(client, 'reconnecting');
    await connectReady(client);
    let ready = client.next('connected');
    (await server.connection(0)).close(1013, 'overloaded');
    await ready;
    ready = client.next('connected');
    (await server.connection(1)).close(1012, 'restart');
    await ready;
    expect(reconnecting).toEqual([
      // Between half and all of the ceiling of attempt 0 + 2 (40 ms): 20 + 0.5 × 20.
      { attempt: 1, delayMs: 30, code: 1013 },
      { attempt: 1, delayMs: 5, code: 1012 },
    ]);
  });

  it('backs off after a first connection refused with 1013, longer than after a dropped one, and connects once let in', async () => {
    const server = await FakeServer.start((conn, index) => (index < 2 ? conn.close(1013, 'server overloaded') : conn.welcome()));
    const client = makeClient(server, { random: () => 0.5, reconnect: { initialDelayMs: 10, maxDelayMs: 1_000 } });
    const reconnecting = record(client, 'reconnecting');
    const welcome = await client.connect();
    expect(welcome.type).toBe('welcome');
    expect(server.connections).toHaveLength(3);
    // A dropped connection waits below the ceiling of its attempt (10, 20 ms); 1013 at least twice that.
    expect(reconnecting).toEqual([
      { attempt: 1, delayMs: 30, code: 1013 },
      { attempt: 2, delayMs: 60, code: 1013 },
    ]);
    expect(server.connectedAt[1]! - server.connectedAt[0]!).toBeGreaterThanOrEqual(29);
    expect(server.connectedAt[2]! - server.connectedAt[1]!).toBeGreaterThanOrEqual(59);
  });

  it('gives up on a first connection refused with 1013 more than maxRetries times', async () => {
    const server = await FakeServer.start((conn) => conn.close(1013, 'server overloaded'));
    const client = makeClient(server, { maxRetries: 2, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } });
    const error = await rejection(client.connect());
    expect(error).toBeInstanceOf(CairnConnectionError);
    expect(error).toMatchObject({ code: 1013, reason: 'server overloaded' });
    expect(server.connections).toHaveLength(3);
    expect(client.state).toBe('closed');
  });

  it('reuses a commandId given to request()', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    await client.connect();
    const conn = await server.connection(0);
    const announcing = client.request({ type: 'admin.announce', hunt: 'h1', message: 'hello', commandId: 'cmd-1' });
    const sent = await conn.next();
    expect(sent).toMatchObject({ type: 'admin.announce', hunt: 'h1', message: 'hello', commandId: 'cmd-1' });
    conn.reply(sent.id, { duplicate: true, update: 3 });
    await expect(announcing).resolves.toEqual({ duplicate: true, update: 3 });
    // Types: a request must be complete (checked by tsc, never run).
    const typeOnly = () => {
      // @ts-expect-error a submit needs a guess
      void client.request({ type: 'submit', hunt: 'h1', clue: 'c1' });
      // @ts-expect-error a ping carries no commandId
      void client.request({ type: 'ping', commandId: 'x' });
    };
    expect(typeof typeOnly).toBe('function');
  });

  it('replays from an explicit resume point, letting earlier updates through again', async () => {
    const server = await FakeServer.start();
    const client = makeClient(server);
    const updates = record(client, 'update');
    const conn = await joined(server, client, 'h1', 5);
    const resuming = client.resume('h1', 2);
    const resume = await conn.next();
    expect(resume).toMatchObject({ type: 'resume', hunt: 'h1', after: 2 });
    conn.update('h1', 4);
    conn.update('h1', 5);
    conn.reply(resume.id, { resync: false, replayed: 2, updateSeq: 5 });
    await expect(resuming).resolves.toMatchObject({ replayed: 2 });
    expect(updates.map((u) => u.update)).toEqual([4, 5]);
    expect(client.lastUpdate('h1')).toBe(5);
  });
});
