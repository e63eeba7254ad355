import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalUpdateBus } from '../../src/bus/local/local-update-bus.js';
import { HuntReplicas } from '../../src/gateway/hunt-replicas.js';
import { commands, smallHunt, startNode, tempDir, type Node } from '../actors/runtime/harness.js';

describe('HuntReplicas nudging hunts whose due event does not come', () => {
  let dir: { dir: string; cleanup: () => void };
  let node: Node | undefined;
  afterEach(async () => {
    await node?.stop();
    dir?.cleanup();
  });

  async function huntStartingIn(ms: number) {
    dir = tempDir();
    // A host that does not own the hunt: its timer never fires here, as on a node that died.
    node = startNode(path.join(dir.dir, 'cairn.db'), { isLocal: () => false });
    const c = commands();
    await node.host.execute('hunt', 'h1', c.spawn({ ...smallHunt(), startsAt: Date.now() + ms }));
    return node;
  }

  it('wakes a watched hunt once its start is two seconds overdue, and reads what the answer says it missed', async () => {
    const n = await huntStartingIn(100);
    const nudged: string[] = [];
    const replicas = new HuntReplicas(n.journal, new LocalUpdateBus(), async (huntId) => {
      nudged.push(huntId);
      // The owner answers with a later update number than the replica has: it must read it.
      await n.host.execute('hunt', 'h1', { type: 'start', commandId: 'start-now', issuer: 'designer-1', at: Date.now() });
      return 2;
    });
    const replica = await replicas.acquire('h1');
    expect(replica.updateSeq).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(nudged).toEqual([]);
    const deadline = Date.now() + 3000;
    while (replica.updateSeq < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(nudged).toEqual(['h1']);
    expect(replica.current.status).toBe('running');
    replicas.closeAll();
  });

  it('does not nudge a hunt due further ahead than a timer can wait (40 days)', async () => {
    const n = await huntStartingIn(40 * 24 * 3600 * 1000);
    let nudges = 0;
    const replicas = new HuntReplicas(n.journal, new LocalUpdateBus(), async () => {
      nudges += 1;
      return undefined;
    });
    await replicas.acquire('h1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(nudges).toBe(0);
    replicas.closeAll();
  });
});
