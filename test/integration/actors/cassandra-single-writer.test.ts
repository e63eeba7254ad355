import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HuntState } from '../../../actors/hunt/hunt-state.js';
import { huntBehaviour } from '../../../actors/hunt/hunt-behaviour.js';
import { playerBehaviour } from '../../../actors/player/player-behaviour.js';
import type { CommandOutcome } from '../../../actors/runtime/entity-messages.js';
import { ShardHost } from '../../../actors/runtime/shard-host.js';
import { createCassandraJournal, type CassandraJournal } from '../../../src/journal/cassandra/cassandra-journal.js';
import { createJournalPersistenceEngine } from '../../../src/journal/journal-persistence-engine.js';
import { smallHunt } from '../../actors/runtime/harness.js';

const keyspace = `cairn_race_${process.pid}_${Date.now().toString(36)}`;
const ROUNDS = 40;

interface Node {
  readonly host: ShardHost;
  readonly journal: CassandraJournal;
}

/** Two actor systems, each with its own Cassandra session: two nodes that both believe they own the hunt. */
async function node(): Promise<Node> {
  const journal = await createCassandraJournal({ contactPoints: inject('cassandraContactPoints'), keyspace });
  const host = new ShardHost({ persistence: createJournalPersistenceEngine(journal), ledger: journal, behaviours: [huntBehaviour, playerBehaviour], snapshotEvery: 10 });
  return { host, journal };
}

describe('two writers on one hunt, against real Cassandra', () => {
  let a: Node;
  let b: Node;
  beforeAll(async () => {
    a = await node();
    b = await node();
  });
  afterAll(async () => {
    for (const n of [a, b]) {
      await n?.host.stop();
      await n?.journal.close();
    }
  });

  it('lets exactly one win each sequence number, never forks the history, and the loser recovers and carries on', async () => {
    const hunt = 'race-hunt';
    let n = 0;
    const cmd = () => ({ commandId: `cmd-${++n}`, at: Date.now() });
    const spawned = await a.host.execute('hunt', hunt, { ...cmd(), type: 'spawn', issuer: 'd', definition: smallHunt({ maxPlayers: 1000 }) });
    expect(spawned.ok).toBe(true);

    let conflicts = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      // Both nodes act on the hunt at the same moment, each on the state it has in memory.
      const [fromA, fromB] = await Promise.all([
        a.host.execute('hunt', hunt, { ...cmd(), type: 'join', playerId: `a${round}`, displayName: `A${round}` }),
        b.host.execute('hunt', hunt, { ...cmd(), type: 'join', playerId: `b${round}`, displayName: `B${round}` }),
      ]);
      for (const [outcome, playerId, host] of [
        [fromA, `a${round}`, a.host],
        [fromB, `b${round}`, b.host],
      ] as const) {
        if (outcome.ok) continue;
        // Refused because the other node got there first. The loser recovers from the journal and
        // tries again; the other node's own write of this round may still slip in between, so a
        // second conflict is possible, but the retries must get through.
        let retried: CommandOutcome<unknown> = outcome;
        for (let attempt = 0; attempt < 5 && !retried.ok; attempt += 1) {
          expect(retried).toMatchObject({ ok: false, failure: { code: 'sequence-conflict', retriable: true } });
          conflicts += 1;
          retried = await host.execute('hunt', hunt, { ...cmd(), type: 'join', playerId, displayName: playerId.toUpperCase() });
        }
        expect(retried.ok, JSON.stringify(retried)).toBe(true);
      }
    }

    const history = [];
    for (let after = 0; ; ) {
      const page = await a.journal.readEvents(`hunt:${hunt}`, after, 500);
      history.push(...page);
      if (page.length < 500) break;
      after = page.at(-1)!.seqNr;
    }
    // One spawn and 2 joins a round, numbered 1..n without a gap or a repeat.
    expect(history.map((e) => e.seqNr)).toEqual(Array.from({ length: 1 + 2 * ROUNDS }, (_, i) => i + 1));
    const joined = history.filter((e) => e.type === 'player-joined').map((e) => (e.payload as { playerId: string }).playerId);
    expect(new Set(joined).size).toBe(2 * ROUNDS);

    // Both nodes, whatever they went through, now hold the journal's version of the hunt.
    const players = async (host: ShardHost) => (await host.read(huntBehaviour.kind, hunt, (s: HuntState) => Object.keys(s.players).sort())).view;
    await a.host.execute('hunt', hunt, { ...cmd(), type: 'announce', issuer: 'd', message: 'sync a' });
    await b.host.execute('hunt', hunt, { ...cmd(), type: 'announce', issuer: 'd', message: 'sync b' }).then(async (o) => {
      if (!o.ok) await b.host.execute('hunt', hunt, { ...cmd(), type: 'announce', issuer: 'd', message: 'sync b again' });
    });
    expect(await players(b.host)).toEqual(await players(a.host));
    expect((await players(a.host)).length).toBe(2 * ROUNDS);
    console.log(`single-writer race: ${ROUNDS} rounds, ${conflicts} conflicts resolved by recovery`);
    expect(conflicts).toBeGreaterThan(0);
  }, 240_000);
});
