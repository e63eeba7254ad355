import type { Command } from 'commander';
import type { ShardMap } from '../../protocol/shard-map.js';
import type { CairnClient } from '../client/index.js';
import { shardOf } from '../cluster/shard-of.js';
import { CliError, ExitCode, tokenFor, withClient, type ConnectionOptions } from './cli-connection.js';

/** How often a waiting command looks at the map, ms. */
const POLL_MS = 250;

export function renderShardMap(map: ShardMap): string {
  const nodes = map.nodes.map(
    (n) => `  ${n.nodeId.padEnd(16)} ${n.live ? 'live' : 'gone'}${n.drained ? ', drained' : ''}  ${n.shards} shard(s), ${n.connections} connection(s)`,
  );
  const rows = map.shards.map((s) =>
    [String(s.shard).padStart(5), (s.owner ?? '(moving)').padEnd(16), (s.pinnedTo ?? '').padEnd(16), String(s.entities).padStart(8), String(s.players).padStart(8), String(s.lag).padStart(6), s.commandsPerSecond.toFixed(1).padStart(7)].join('  '),
  );
  return [
    `${map.mode === 'embedded' ? 'one embedded process' : `cluster of ${map.nodes.filter((n) => n.live).length} live node(s)`}, ${map.partitions} shard(s), plan version ${map.planVersion}`,
    'nodes:',
    ...nodes,
    `${'shard'.padStart(5)}  ${'owner'.padEnd(16)}  ${'pinned to'.padEnd(16)}  ${'entities'.padStart(8)}  ${'players'.padStart(8)}  ${'lag'.padStart(6)}  ${'cmd/s'.padStart(7)}`,
    ...rows,
  ].join('\n');
}

/**
 * Polls the map until `applied` holds, printing a progress line (on a terminal it rewrites one
 * line); throws a CliError with the timeout exit code when it does not happen in time.
 */
async function waitUntil(client: CairnClient, applied: (map: ShardMap) => string | undefined, what: string, timeoutS: number): Promise<void> {
  const started = Date.now();
  let last = '';
  for (;;) {
    const waiting = applied(await client.shardMap());
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (waiting === undefined) {
      process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${what}: done in ${seconds} s\n`);
      return;
    }
    const line = `${what}: ${waiting} (${seconds} s)`;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
    else if (waiting !== last) process.stderr.write(`${line}\n`);
    last = waiting;
    if (Date.now() - started >= timeoutS * 1000) throw new CliError(`${what}: not applied after ${timeoutS} s (${waiting}); the plan is saved, the cluster may still apply it`, ExitCode.timeout);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const shardNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${JSON.stringify(value)} is not a shard number`, ExitCode.usage);
  return n;
};

/** `cairnctl shards ...`: the shard map, and moves, pins and drains with a wait until applied. */
export function addShardCommands(program: Command, connection: () => ConnectionOptions): void {
  const operator = () => tokenFor(connection(), 'cairnctl', 'operator');
  const run = async <T>(work: (client: CairnClient) => Promise<T>) => withClient(connection().url, await operator(), work);
  const shards = program.command('shards').description('operators: see and steer where the shards of a cluster live');

  shards
    .command('map', { isDefault: true })
    .description('show which node owns each shard, with its load')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const map = await run((c) => c.shardMap());
      console.log(o.json ? JSON.stringify(map, null, 2) : renderShardMap(map));
    });

  shards
    .command('which <id>')
    .description('the shard of a hunt (or player) id, and the node that owns it now')
    .action(async (id: string) => {
      const map = await run((c) => c.shardMap());
      const shard = map.mode === 'embedded' ? 0 : shardOf(id, map.partitions);
      const entry = map.shards[shard];
      console.log(`${id}: shard ${shard}, on ${entry?.owner ?? '(moving)'}${entry?.pinnedTo ? `, pinned to ${entry.pinnedTo}` : ''}`);
    });

  const waitOptions = (command: Command) => command.option('--no-wait', 'return once the plan is saved').option('--timeout <seconds>', 'how long to wait for the cluster to apply it', '60');

  for (const name of ['move', 'pin'] as const) {
    waitOptions(
      shards
        .command(`${name} <shard> <node>`)
        .description(name === 'move' ? 'move a shard to a node (and pin it there)' : 'pin a shard to a node (it moves there)'),
    ).action(async (shardText: string, node: string, o: { wait: boolean; timeout: string }) => {
      const shard = shardNumber(shardText);
      await run(async (c) => {
        const { planVersion } = await c.pinShard(shard, node);
        console.log(`plan version ${planVersion}: shard ${shard} pinned to ${node}`);
        if (o.wait) {
          await waitUntil(c, (map) => (map.shards[shard]?.owner === node ? undefined : `shard ${shard} on ${map.shards[shard]?.owner ?? '(moving)'}`), `moving shard ${shard} to ${node}`, Number(o.timeout));
        }
      });
    });
  }

  shards
    .command('unpin <shard>')
    .description('let the cluster place a shard again')
    .action(async (shardText: string) => {
      const shard = shardNumber(shardText);
      const { planVersion } = await run((c) => c.unpinShard(shard));
      console.log(`plan version ${planVersion}: shard ${shard} unpinned`);
    });

  waitOptions(shards.command('drain <node>').description('move every shard off a node; its players are then sent to other nodes')).action(
    async (node: string, o: { wait: boolean; timeout: string }) => {
      await run(async (c) => {
        const { planVersion } = await c.drainNode(node);
        console.log(`plan version ${planVersion}: ${node} drained`);
        if (o.wait) {
          await waitUntil(
            c,
            (map) => {
              const left = map.shards.filter((s) => s.owner === node || s.owner === null).length;
              return left === 0 ? undefined : `${left} shard(s) still on ${node} or moving`;
            },
            `draining ${node}`,
            Number(o.timeout),
          );
        }
      });
    },
  );

  waitOptions(shards.command('undrain <node>').description('let a drained node own shards again')).action(async (node: string, o: { wait: boolean; timeout: string }) => {
    await run(async (c) => {
      const { planVersion } = await c.undrainNode(node);
      console.log(`plan version ${planVersion}: ${node} undrained`);
      if (o.wait) {
        await waitUntil(c, (map) => ((map.nodes.find((n) => n.nodeId === node)?.shards ?? 0) > 0 ? undefined : `${node} owns no shard yet`), `undraining ${node}`, Number(o.timeout));
      }
    });
  });
}
