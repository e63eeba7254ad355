import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HuntEvent } from '../../actors/hunt/hunt-events.js';
import type { HuntState } from '../../actors/hunt/hunt-state.js';
import { LocalUpdateBus } from '../../src/bus/local/local-update-bus.js';
import { HuntReplica } from '../../src/gateway/hunt-replica.js';
import type { Journal } from '../../src/journal/journal.js';
import { commands, readState, startNode, tempDir, type Node } from '../actors/runtime/harness.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HuntReplica', () => {
  let dir: { dir: string; cleanup: () => void };
  let node: Node | undefined;
  afterEach(async () => {
    await node?.stop();
    dir?.cleanup();
  });

  it('applies each event once when the bus delivers events while the first load is still reading the journal', async () => {
    dir = tempDir();
    const bus = new LocalUpdateBus();
    node = startNode(path.join(dir.dir, 'cairn.db'), {
      listener: { stored: (kind, id, event) => kind === 'hunt' && bus.publish(id, event as HuntEvent) },
    });
    const c = commands();
    for (const command of [c.spawn(), c.join('ana'), c.join('ben'), c.join('cleo')]) await node.host.execute('hunt', 'h1', command);

    const journal = node.journal;
    const slow: Journal = { ...journal, readUpdates: async (...args) => (await later(50), journal.readUpdates(...args)), loadSnapshot: journal.loadSnapshot.bind(journal), readEvents: journal.readEvents.bind(journal), append: journal.append.bind(journal), saveSnapshot: journal.saveSnapshot.bind(journal), close: journal.close.bind(journal) };
    const replica = new HuntReplica('h1', slow, bus);
    // Published while the replica is still reading: out of order for it, and also in the journal.
    const joined = await node.host.execute<HuntEvent>('hunt', 'h1', c.join('dan'));
    await replica.ready;
    await replica.waitFor(joined.ok ? joined.event.update : 0);

    const truth = await readState<HuntState>(node.host, 'hunt', 'h1');
    expect(replica.current.activePlayers).toBe(4);
    // The same state but for the commands the hunt remembers, which only the hunt's actor needs.
    expect(JSON.parse(JSON.stringify(replica.current))).toEqual(truth.state);
    replica.close();
  });

  it('catches up from the journal on refresh when its bus is behind (another gateway pushed newer updates)', async () => {
    dir = tempDir();
    // A bus that delivers nothing: this gateway's feed lags behind the journal.
    const silent = new LocalUpdateBus();
    node = startNode(path.join(dir.dir, 'cairn.db'));
    const c = commands();
    await node.host.execute('hunt', 'h1', c.spawn());
    const replica = new HuntReplica('h1', node.journal, silent);
    await replica.ready;
    expect(replica.updateSeq).toBe(1);
    for (const command of [c.join('ana'), c.join('ben')]) await node.host.execute('hunt', 'h1', command);
    expect(replica.updateSeq).toBe(1);
    await replica.refresh();
    expect(replica.updateSeq).toBe(3);
    expect(replica.current.activePlayers).toBe(2);
    replica.close();
  });

  it('tells whoever waits for an update that the journal cannot be read, instead of leaving them waiting', async () => {
    dir = tempDir();
    const bus = new LocalUpdateBus();
    node = startNode(path.join(dir.dir, 'cairn.db'));
    const c = commands();
    await node.host.execute('hunt', 'h1', c.spawn());
    let failing = false;
    const journal = node.journal;
    const flaky: Journal = { ...journal, readUpdates: async (...args) => { if (failing) throw new Error('storage down'); return journal.readUpdates(...args); }, loadSnapshot: journal.loadSnapshot.bind(journal), readEvents: journal.readEvents.bind(journal), append: journal.append.bind(journal), saveSnapshot: journal.saveSnapshot.bind(journal), close: journal.close.bind(journal) };
    const replica = new HuntReplica('h1', flaky, bus);
    await replica.ready;
    failing = true;
    await expect(replica.waitFor(5)).rejects.toThrow('storage down');
    replica.close();
  });
});
