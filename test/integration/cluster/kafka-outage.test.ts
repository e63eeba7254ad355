import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices, killService } from '../../../src/services/services.js';
import { UNTHROTTLED_ENV } from '../../e2e/guess-load.js';
import { RawClient } from '../../e2e/raw-client.js';
import { watchReadiness, type ReadinessWatch } from '../../e2e/readiness-watch.js';
import { sleep } from '../../e2e/sdk-client.js';
import { tokenFor } from '../../e2e/server-process.js';
import { startCluster, type TestCluster } from './cluster-nodes.js';
import { log } from './steady-cluster.js';
import { steadyHunt } from './steady-play.js';

/**
 * kill -9 of Kafka under a cluster node: the node says it cannot serve (/readyz 503, naming the
 * bus) while Kafka is gone, and serves again within seconds of Kafka's return, its replies
 * flowing without waiting out a consumer group's 30 s session.
 */
describe('Kafka killed under a cluster node', () => {
  const state: { cluster?: TestCluster; readiness?: ReadinessWatch; sockets: RawClient[] } = { sockets: [] };

  beforeAll(async () => {
    if (process.env.KAFKA_BROKERS) throw new Error('this test kills and restarts Kafka: run it with the services the suite starts, not KAFKA_BROKERS');
    state.cluster = await startCluster(1, { env: { ...UNTHROTTLED_ENV, CAIRN_COMMAND_TIMEOUT_MS: '3000' } });
    await state.cluster.settled();
  });

  afterAll(async () => {
    for (const socket of state.sockets) socket.terminate();
    await state.readiness?.stop();
    await state.cluster?.dispose();
    await ensureServices({ kafka: true, cassandra: false, log, useEnvironment: false });
  }, 180_000);

  it('answers /readyz 503 for the bus while Kafka is down, and serves again within seconds of its return', async () => {
    const node = state.cluster!.nodes[0]!;
    const open = async (subject: string, role: 'player' | 'designer' = 'player') => {
      const socket = await RawClient.connect(node.wsUrl, await tokenFor(subject, role));
      state.sockets.push(socket);
      return socket;
    };
    const designer = await open('kafka-dee', 'designer');
    await designer.ok({ type: 'admin.spawn', hunt: 'outage', commandId: 'outage-spawn', definition: steadyHunt() });
    await designer.ok({ type: 'admin.start', hunt: 'outage', commandId: 'outage-start' });
    const player = await open('kafka-pia');
    await player.ok({ type: 'join', hunt: 'outage', commandId: 'pia-join' });
    const guess = (n: number) => ({ type: 'submit', hunt: 'outage', clue: 'c1', commandId: `pia-${n}`, guess: { kind: 'answer', text: `wrong ${n}` } }) as const;
    await player.ok(guess(0));

    state.readiness = watchReadiness(node.httpUrl);
    await state.readiness.until(200, { since: Date.now(), timeoutMs: 10_000 });
    const killedAt = Date.now();
    await killService('kafka', { log });
    const notReadyAt = await state.readiness.until(503, { since: killedAt, timeoutMs: 30_000 });
    const body = state.readiness.changes.find((change) => change.status === 503 && change.at >= killedAt)?.body ?? '';
    expect(body).toMatch(/message bus not answering/);

    await ensureServices({ kafka: true, cassandra: false, log, useEnvironment: false });
    const backAt = Date.now();
    const readyAt = await state.readiness.until(200, { since: backAt, timeoutMs: 60_000 });
    // The first command after Kafka's return, retried as a client does until it is answered.
    let n = 1;
    let ackedAt: number | undefined;
    while (ackedAt === undefined && Date.now() - backAt < 60_000) {
      const reply = await player.request(guess(n), 5_000).catch(() => undefined);
      if (reply?.ok) ackedAt = Date.now();
      else await sleep(200);
      n += reply?.ok === false && !reply.error.retriable ? 1 : 0;
    }
    console.log(
      `kafka killed: /readyz 503 after ${notReadyAt - killedAt} ms; Kafka back after ${backAt - killedAt} ms; ` +
        `ready ${readyAt - backAt} ms and first acknowledged guess ${ackedAt === undefined ? 'never' : `${ackedAt - backAt} ms`} after its return`,
    );
    expect(ackedAt, 'a guess acknowledged after Kafka came back').toBeDefined();
  }, 240_000);
});
