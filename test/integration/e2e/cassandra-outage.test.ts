import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCairnClient, CairnRequestError, type CairnClient } from '../../../src/client/index.js';
import { createCassandraJournal } from '../../../src/journal/cassandra/cassandra-journal.js';
import { ensureServices, servicesDown } from '../../../src/services/services.js';
import { removeDir, startServerProcess, tokenFor, type ServerProcess } from '../../e2e/server-process.js';

const keyspace = `cairn_outage_${Date.now().toString(36)}`;
const PLAYERS = 6;
const HUNT = `title: Outage drill
maxPlayers: 50
order: free
guessing: { minSecondsBetweenGuesses: 0 }
clues:
  - id: riddle
    title: Riddle
    text: Guess until the storage comes back.
    points: 10
    answer: never-guessed
`;

const log = (line: string) => process.stderr.write(`[services] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Cassandra stops under load', () => {
  let server: ServerProcess;
  const clients: CairnClient[] = [];

  beforeAll(async () => {
    if (process.env.CASSANDRA_CONTACT_POINTS) throw new Error('this test stops and restarts Cassandra: run it with the services the suite starts, not CASSANDRA_CONTACT_POINTS');
    server = await startServerProcess({
      env: {
        CAIRN_CASSANDRA_CONTACT_POINTS: inject('cassandraContactPoints').join(','),
        CAIRN_CASSANDRA_KEYSPACE: keyspace,
        CAIRN_GUESSES_PER_SECOND: '200',
        CAIRN_GUESS_BURST: '200',
        CAIRN_BREAKER_FAILURES: '3',
        CAIRN_BREAKER_HALF_OPEN_MS: '1000',
        CAIRN_COMMAND_TIMEOUT_MS: '8000',
      },
    });
    const designer = createCairnClient({ url: server.wsUrl, token: await tokenFor('designer', 'designer') });
    clients.push(designer);
    await designer.connect();
    await designer.spawn('drill', HUNT);
    await designer.start('drill');
    for (let i = 0; i < PLAYERS; i += 1) {
      const player = createCairnClient({ url: server.wsUrl, token: await tokenFor(`p${i}`), maxRetries: 0, requestTimeoutMs: 15_000 });
      clients.push(player);
      await player.connect();
      await player.join('drill');
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.stop();
    if (server) removeDir(server.dataDir);
    await ensureServices({ kafka: false, cassandra: true, log });
  }, 120_000);

  it('refuses moves retriably while it is down, plays on once it is back, and loses no acknowledged move', async () => {
    const acknowledged: string[] = [];
    const failures: { code: string; retriable: boolean; ms: number }[] = [];
    let phase: 'before' | 'down' | 'back' = 'before';
    let okAfterRestart = 0;
    let running = true;
    let sequence = 0;

    const play = async (client: CairnClient, player: number) => {
      while (running) {
        const commandId = `p${player}-g${++sequence}`;
        const started = Date.now();
        try {
          await client.request({ type: 'submit', hunt: 'drill', clue: 'riddle', guess: { kind: 'answer', text: `try ${sequence}` }, commandId });
          acknowledged.push(commandId);
          if (phase === 'back') okAfterRestart += 1;
          await sleep(50);
        } catch (error) {
          const e = error as CairnRequestError;
          failures.push({ code: e.code, retriable: e.retriable, ms: Date.now() - started });
          await sleep(200);
        }
      }
    };
    const players = clients.slice(1).map((client, i) => play(client, i));

    await sleep(2000);
    const before = acknowledged.length;
    phase = 'down';
    await servicesDown({ log, only: ['cassandra'] });
    await sleep(6000);
    const duringDown = failures.length;
    await ensureServices({ kafka: false, cassandra: true, log, useEnvironment: false });
    phase = 'back';
    const deadline = Date.now() + 60_000;
    while (okAfterRestart < 20 && Date.now() < deadline) await sleep(200);
    running = false;
    await Promise.all(players);

    console.log(`outage: ${before} moves before, ${failures.length} refused (${[...new Set(failures.map((f) => f.code))].join(', ')}), ${okAfterRestart} after the restart`);
    expect(before).toBeGreaterThan(10);
    expect(duringDown).toBeGreaterThan(0);
    // Every refusal says "retry", and none hung: each came back within the command timeout and a margin.
    for (const failure of failures) expect(failure, JSON.stringify(failure)).toMatchObject({ retriable: true });
    expect(Math.max(...failures.map((f) => f.ms))).toBeLessThan(12_000);
    expect(okAfterRestart).toBeGreaterThanOrEqual(20);

    const response = await fetch(`${server.httpUrl}/healthz`);
    expect(response.status).toBe(200);

    const journal = await createCassandraJournal({ contactPoints: inject('cassandraContactPoints'), keyspace });
    try {
      const stored: string[] = [];
      for (let after = 0; ; ) {
        const page = await journal.readEvents('hunt:drill', after, 1000);
        stored.push(...page.map((e) => (e.payload as { commandId: string }).commandId));
        if (page.length < 1000) break;
        after = page.at(-1)!.seqNr;
      }
      const storedSet = new Set(stored);
      expect(storedSet.size, 'no move is stored twice').toBe(stored.length);
      const lost = acknowledged.filter((id) => !storedSet.has(id));
      expect(lost, 'acknowledged moves missing from the journal').toEqual([]);
    } finally {
      await journal.close();
    }
  }, 180_000);
});
