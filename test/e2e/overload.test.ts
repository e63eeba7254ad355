import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, UpdateMessage } from '../../protocol/server-messages.js';
import { fourClueHunt } from './hunts.js';
import { RawClient, type Reply } from './raw-client.js';
import { connectClient, httpGet, sleep, type TestClient } from './sdk-client.js';
import { disposeServer, startServerProcess, tokenFor, type ServerProcess } from './server-process.js';

/**
 * Admission control against a real server process whose gateway may run one request at a time
 * (CAIRN_OVERLOAD_MAX_IN_FLIGHT=1): a burst of commands saturates it for real, with no hook in the
 * server. The loop-delay signal is off so that the outcome does not depend on how busy the machine
 * running the test is.
 */

const WINDOW_MS = 2000;
const HUNT = 'ovl';
let server: ServerProcess;
let designer: RawClient;
let player: RawClient;
const sockets: RawClient[] = [];
const clients: TestClient[] = [];

async function open(subject: string, role: 'player' | 'designer' | 'operator' = 'player'): Promise<RawClient> {
  const socket = await RawClient.connect(server.wsUrl, await tokenFor(subject, role));
  sockets.push(socket);
  return socket;
}

async function updateSeq(): Promise<number> {
  const { summary } = (await designer.ok({ type: 'admin.status', hunt: HUNT })) as { summary: { updateSeq: number } };
  return summary.updateSeq;
}

const announce = (commandId: string) => ({ type: 'admin.announce', hunt: HUNT, commandId, message: `note ${commandId}` });

/** Sends every request at once (one write each, back to back) and resolves with their replies, in order. */
const burst = (requests: Record<string, unknown>[]): Promise<Reply[]> => Promise.all(requests.map((r) => designer.request(r)));

/** The announcements the player was sent, by message. */
const announced = (): string[] =>
  player.updates.flatMap((u: UpdateMessage) => u.changes.flatMap((c) => (c.kind === 'announcement' ? [c.message] : [])));

async function metric(name: string, labels = ''): Promise<number | undefined> {
  const { body } = await httpGet(`${server.httpUrl}/metrics`);
  const line = body.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

beforeAll(async () => {
  server = await startServerProcess({
    env: { CAIRN_OVERLOAD_MAX_IN_FLIGHT: '1', CAIRN_OVERLOAD_MAX_LOOP_DELAY_MS: '0', CAIRN_OVERLOAD_WINDOW_MS: String(WINDOW_MS) },
  });
  // One request at a time is never overload.
  designer = await open('ovl-dee', 'designer');
  await designer.ok({ type: 'admin.spawn', hunt: HUNT, commandId: 'ovl-spawn', definition: fourClueHunt() });
  await designer.ok({ type: 'admin.start', hunt: HUNT, commandId: 'ovl-start' });
  player = await open('ovl-pat');
  await player.ok({ type: 'join', hunt: HUNT, commandId: 'ovl-pat-join' });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const socket of sockets) socket.terminate();
  await disposeServer(server);
});

describe('commands beyond the in-flight bound', () => {
  it('are refused with a retriable overloaded and retryAfterMs, nothing of them is stored, and the same commandIds succeed after waiting', async () => {
    const before = await updateSeq();
    const ids = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `ovl-a-${n}`);
    const replies = await burst(ids.map(announce));

    expect(replies[0]).toMatchObject({ ok: true, result: { duplicate: false } });
    const refused = ids.filter((_, i) => !replies[i]!.ok);
    const accepted = ids.filter((_, i) => replies[i]!.ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const reply of replies.filter((r): r is Extract<Reply, { ok: false }> => !r.ok)) {
      expect(reply.error).toEqual<ErrorBody>({
        code: 'overloaded',
        message: `server overloaded: retry in ${WINDOW_MS} ms with the same commandId`,
        retriable: true,
        retryAfterMs: WINDOW_MS,
      });
    }

    // Reads pass while overloaded; they show that only the accepted commands happened.
    expect(await updateSeq()).toBe(before + accepted.length);
    await player.sync();
    await sleep(100);
    expect(announced().sort()).toEqual(accepted.map((id) => `note ${id}`).sort());

    await sleep(WINDOW_MS + 100);
    for (const id of refused) expect(await designer.ok(announce(id)), id).toMatchObject({ duplicate: false });
    expect(await updateSeq()).toBe(before + ids.length);
    expect(await player.until(() => announced().length === ids.length)).toBe(true);
    expect(announced().sort()).toEqual(ids.map((id) => `note ${id}`).sort());

    expect(await metric('cairn_overload_refusals_total', 'what="command"')).toBe(refused.length);
    expect(await metric('cairn_rejections_total', 'code="overloaded"')).toBe(refused.length);
    expect(await metric('cairn_overload_state')).toBe(0);
  });
});

describe('connections while overloaded', () => {
  it('are closed with 1013 (operators excepted); the SDK backs off, connects once the overload is over, and retries a refused command', async () => {
    const sdkDesigner = await connectClient(server.wsUrl, 'ovl-sdk-dee', 'designer');
    clients.push(sdkDesigner);

    const replies = await burst([1, 2, 3, 4].map((n) => announce(`ovl-b-${n}`)));
    expect(replies.some((r) => !r.ok)).toBe(true);
    const retried = sdkDesigner.client.announce(HUNT, 'from the SDK');

    const refusedSocket = await RawClient.open(server.wsUrl, await tokenFor('ovl-late'));
    sockets.push(refusedSocket);
    const closed = await refusedSocket.waitClosed();
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/^server overloaded: reconnect in 2000 ms or later/);
    expect(refusedSocket.messages, 'no welcome, nothing else').toEqual([]);

    const operator = await open('ovl-op', 'operator');
    expect(operator.isOpen).toBe(true);
    expect(await metric('cairn_overload_state')).toBe(1);
    expect(await metric('cairn_overload_refusals_total', 'what="connection"')).toBe(1);

    const started = Date.now();
    const sdkPlayer = await connectClient(server.wsUrl, 'ovl-sdk-pat', 'player', {
      connect: false,
      maxRetries: 8,
      reconnect: { initialDelayMs: 250, maxDelayMs: 2000 },
    });
    clients.push(sdkPlayer);
    const reconnecting: number[] = [];
    sdkPlayer.client.on('reconnecting', (r) => reconnecting.push(r.code));
    const welcome = await sdkPlayer.client.connect();
    expect(welcome).toMatchObject({ type: 'welcome', subject: 'ovl-sdk-pat' });
    expect(reconnecting.length).toBeGreaterThan(0);
    expect(reconnecting.every((code) => code === 1013)).toBe(true);
    expect(sdkPlayer.disconnects[0]).toMatchObject({ code: 1013, willReconnect: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);

    await expect(retried).resolves.toMatchObject({ duplicate: false });
    const errors = sdkDesigner.frames.flatMap((f) => (f.message.type === 'reply' && !f.message.ok ? [f.message.error.code] : []));
    expect(errors).toEqual(['overloaded']);
  });
});
