import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HuntState } from '../../../actors/hunt/hunt-state.js';
import { commands, readState, smallHunt, startNode, tempDir, type Node } from './harness.js';

/** What a cluster node asks of its shard host: views by name, side effects through the bus, letting shards go. */
describe('a shard host in a cluster node', () => {
  let dir: { dir: string; cleanup: () => void };
  const nodes: Node[] = [];
  const node = (options: Parameters<typeof startNode>[1] = {}) => {
    const started = startNode(path.join(dir.dir, 'cairn.db'), options);
    nodes.push(started);
    return started;
  };

  beforeEach(() => (dir = tempDir()));
  afterEach(async () => {
    await Promise.allSettled(nodes.splice(0).map((n) => n.stop()));
    dir.cleanup();
  });

  it('answers a named view with plain data and refuses a view the behaviour does not have', async () => {
    const n = node();
    const c = commands();
    await n.host.execute('hunt', 'h1', c.spawn());
    await n.host.execute('hunt', 'h1', c.join('ana'));
    await until(async () => ((await n.host.view('player', 'ana', 'memberships')) as unknown[]).length === 1);
    const memberships = (await n.host.view('player', 'ana', 'memberships')) as { hunt: string; competitorId?: string }[];
    expect(memberships).toEqual([{ hunt: 'h1', competitorId: expect.any(String) }]);
    // Plain data: it survives a trip through structuredClone (and so through msgpack) unchanged.
    expect(structuredClone(memberships)).toEqual(memberships);
    await expect(n.host.view('player', 'ana', 'everything')).rejects.toThrow(/no view "everything"/);
  });

  it('sends side effects through the given tell instead of running them itself', async () => {
    const told: [string, string, { type: string }][] = [];
    const n = node({ tell: (kind, entityId, command) => told.push([kind, entityId, command as { type: string }]) });
    const c = commands();
    await n.host.execute('hunt', 'h1', c.spawn());
    await n.host.execute('hunt', 'h1', c.join('ana'));
    expect(told.map(([kind, id, command]) => [kind, id, command.type])).toEqual([['player', 'ana', 'record-membership']]);
    expect(await n.journal.readEvents('player:ana', 0, 10)).toEqual([]);
  });

  it('a repeated command sends its event\'s side effects again, under the same command id (the first may have died with a node)', async () => {
    const told: { commandId: string }[] = [];
    const n = node({ tell: (_kind, _id, command) => told.push(command as { commandId: string }) });
    const c = commands();
    await n.host.execute('hunt', 'h1', c.spawn());
    const join = c.join('ana');
    await n.host.execute('hunt', 'h1', join);
    const again = await n.host.execute('hunt', 'h1', join);
    expect(again).toMatchObject({ ok: true, duplicate: true });
    expect(told).toHaveLength(2);
    expect(told[1]!.commandId).toBe(told[0]!.commandId);
  });

  it('passivates the entities of released shards once their work is done, keeps the others, and brings them back from the journal', async () => {
    const n = node();
    const c = commands();
    for (const hunt of ['h1', 'h2']) {
      await n.host.execute('hunt', hunt, c.spawn());
      await n.host.execute('hunt', hunt, c.join('ana'));
    }
    const inFlight = n.host.execute('hunt', 'h1', c.join('bo'));
    const released = await n.host.passivate((kind, id) => kind === 'hunt' && id === 'h1');
    expect(released).toBe(1);
    expect((await inFlight).ok).toBe(true);
    const back = await readState<HuntState>(n.host, 'hunt', 'h1');
    expect(Object.keys(back.state.players).sort()).toEqual(['ana', 'bo']);
  });

  it('drops the timer of an entity it no longer owns instead of deciding for it', async () => {
    let owned = true;
    const n = node({ isLocal: () => owned, idleAfterMs: 100_000 });
    const c = commands();
    // The journal's first write starts its writer thread: do it before the clock starts running.
    await n.host.execute('hunt', 'h0', c.spawn());
    await n.host.execute('hunt', 'h1', c.spawn({ ...smallHunt(), endsAt: Date.now() + 300 }));
    await n.host.execute('hunt', 'h1', c.start());
    owned = false;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await n.journal.readEvents('hunt:h1', 0, 10)).map((e) => e.type)).not.toContain('hunt-ended');
    owned = true;
    // The owner's next command lets the time pass.
    await n.host.execute('hunt', 'h1', c.join('late'));
    await until(async () => (await n.journal.readEvents('hunt:h1', 0, 10)).some((e) => e.type === 'hunt-ended'));
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
