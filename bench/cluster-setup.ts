/**
 * The server setups the cluster benchmark compares: one embedded process (SQLite, as `npm start`
 * runs it), and clusters of one or more nodes sharing Kafka and Cassandra. Each cluster setup gets
 * its own topic prefix and keyspace, so that no setup starts from another's shards or events, and
 * they are removed afterwards so that repeated runs do not fill the shared services.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cassandra from 'cassandra-driver';
import kafkajs from 'kafkajs';
import { readPidFile } from '../src/services/java-process.js';
import { readServiceVersions, resolveServicePaths, serviceLayout, type ServiceName } from '../src/services/service-paths.js';
import type { ServiceAddresses } from '../src/services/services.js';
import { cairnEnv, startCairn, type CairnProcess } from './cairn-process.js';

const { Kafka, logLevel } = kafkajs;

/** Joining the Kafka consumer group and creating the keyspace take a while on a first start. */
const START_TIMEOUT_MS = 60_000;
const LOG_TAIL_LINES = 40;
const PARTITIONS = 12;

export interface SetupSpec {
  readonly name: string;
  /** Cairn processes. */
  readonly nodes: number;
  readonly cluster: boolean;
  /** Where the events go: the cluster always uses Cassandra. */
  readonly journal: 'sqlite' | 'cassandra';
}

/**
 * The embedded process twice (SQLite, the baseline, and Cassandra), so that a cluster's cost
 * splits into what Cassandra's conditional writes take and what Kafka's hops add.
 */
export const SETUPS: readonly SetupSpec[] = [
  { name: 'embedded', nodes: 1, cluster: false, journal: 'sqlite' },
  { name: 'embedded-cassandra', nodes: 1, cluster: false, journal: 'cassandra' },
  { name: 'cluster-1', nodes: 1, cluster: true, journal: 'cassandra' },
  { name: 'cluster-3', nodes: 3, cluster: true, journal: 'cassandra' },
];

/** Whether the setup needs Kafka or Cassandra running. */
export const needsServices = (spec: SetupSpec): boolean => spec.cluster || spec.journal === 'cassandra';

/** A setup that did not come up; the message carries the failing node's log tail. */
export class SetupFailed extends Error {}

export interface RunningSetup {
  readonly spec: SetupSpec;
  readonly nodes: readonly CairnProcess[];
  /** One line for the report's column. */
  readonly describe: string;
  /** Where a cluster setup kept its data (topic prefix, keyspace), for the report; '' for embedded. */
  readonly names: string;
  /** Why the setup is no longer whole (a node exited), or undefined. */
  died(): string | undefined;
  /** SIGTERM to every node; returns the unclean exits, if any. */
  stop(): Promise<string | undefined>;
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];
const tail = (text: string, lines = LOG_TAIL_LINES) => text.trimEnd().split('\n').slice(-lines).join('\n');

/**
 * Starts the nodes of `spec` and waits until all are ready (and, for a cluster, until Kafka shows
 * its topics: a server that ignored the cluster settings would otherwise pass as a cluster).
 * Disposers for what it created (data dirs, topics, keyspace) go into `disposers`, to run once the
 * setup is stopped, even when it failed to start.
 */
export async function startSetup(
  spec: SetupSpec,
  o: { services: ServiceAddresses; rate: number; definitionBytes: number; cleanups: Set<() => void>; disposers: Set<() => Promise<void>> },
): Promise<RunningSetup> {
  const id = randomBytes(4).toString('hex');
  const prefix = `bench-${id}`;
  const keyspace = `bench_${id}`;
  const cassandraEnv: Record<string, string> =
    spec.journal === 'cassandra' ? { CAIRN_CASSANDRA_CONTACT_POINTS: o.services.cassandraContactPoints.join(','), CAIRN_CASSANDRA_KEYSPACE: keyspace } : {};
  const clusterEnv = (node: number): Record<string, string> =>
    spec.cluster
      ? {
          ...cassandraEnv,
          CAIRN_KAFKA_BROKERS: o.services.kafkaBrokers.join(','),
          CAIRN_NODE_ID: `bench-${node}`,
          CAIRN_PARTITIONS: String(PARTITIONS),
          CAIRN_TOPIC_PREFIX: prefix,
        }
      : cassandraEnv;
  if (needsServices(spec)) o.disposers.add(() => removeClusterData(o.services, prefix, keyspace));

  const dataDirs = Array.from({ length: spec.nodes }, () => fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-cluster-')));
  const removeDirs = () => dataDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
  o.cleanups.add(removeDirs);
  o.disposers.add(async () => {
    removeDirs();
    o.cleanups.delete(removeDirs);
  });

  const start = (i: number) =>
    startCairn({
      env: cairnEnv({ dataDir: dataDirs[i]!, rate: o.rate, definitionBytes: o.definitionBytes, extra: clusterEnv(i + 1) }),
      cleanups: o.cleanups,
      timeoutMs: START_TIMEOUT_MS,
    });
  // All nodes at once, as an orchestrator starts them (the first creates the topics).
  const started = await Promise.allSettled(dataDirs.map((_, i) => start(i)));
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    await Promise.all(nodes.map((n) => n.stop(5_000)));
    const error = (started[failed] as PromiseRejectedResult).reason as unknown;
    const [, ...output] = (error instanceof Error ? error.message : String(error)).split('\n');
    const why = error instanceof Error && error.message.includes('did not get ready') ? `did not log "cairn is ready" within ${START_TIMEOUT_MS / 1000} s` : 'exited before it was ready';
    throw new SetupFailed(`${spec.name}: node ${failed + 1} of ${spec.nodes} ${why}. Last lines of its output:\n${tail(output.join('\n')) || '(nothing)'}`);
  }

  let stopping = false;
  let died: string | undefined;
  for (const [i, node] of nodes.entries()) {
    void node.exited.then((info) => {
      if (!stopping) died ??= `${spec.name}: node ${i + 1} exited during the run (code ${info.code}, signal ${info.signal}):\n${tail(node.output())}`;
    });
  }
  const stop = async () => {
    stopping = true;
    const exits = await Promise.all(nodes.map((n) => n.stop()));
    const unclean = exits.flatMap((e, i) => (e.code === 0 ? [] : [`node ${i + 1} (code ${e.code}, signal ${e.signal})`]));
    return unclean.length > 0 ? `${spec.name}: did not stop cleanly: ${unclean.join(', ')}` : undefined;
  };

  if (spec.cluster) {
    const topics = await listTopics(o.services).catch(async (error: unknown) => {
      await stop();
      throw new SetupFailed(`${spec.name}: could not list Kafka's topics to check that the nodes formed a cluster: ${firstLine(error)}`);
    });
    if (!topics.some((t) => t.startsWith(`${prefix}.`))) {
      await stop();
      throw new SetupFailed(
        `${spec.name}: the node(s) logged "cairn is ready" but Kafka has no topic named ${prefix}.*: ` +
          `the server ran without cluster mode (CAIRN_KAFKA_BROKERS ignored?). Last lines of node 1's output:\n${tail(nodes[0]!.output())}`,
      );
    }
  }
  return {
    spec,
    nodes,
    describe: spec.cluster ? `${spec.nodes} node(s), ${PARTITIONS} shards` : spec.journal === 'cassandra' ? 'Cassandra, no Kafka' : 'SQLite, no Kafka',
    names: spec.cluster ? `topics ${prefix}.*, keyspace ${keyspace}` : spec.journal === 'cassandra' ? `keyspace ${keyspace}` : '',
    died: () => died,
    stop,
  };
}

function kafkaAdmin(services: ServiceAddresses) {
  return new Kafka({ clientId: 'cairn-bench', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
}

async function listTopics(services: ServiceAddresses): Promise<string[]> {
  const admin = kafkaAdmin(services);
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

/** Deletes a cluster setup's topics, consumer groups and keyspace; failures are reported, not thrown. */
async function removeClusterData(services: ServiceAddresses, prefix: string, keyspace: string): Promise<void> {
  const problems: string[] = [];
  const admin = kafkaAdmin(services);
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${prefix}.`));
    // A group whose member was killed stays non-empty until its session times out; with its topics
    // gone it holds no offsets, and the broker drops it by itself once it is empty.
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  } catch (error) {
    problems.push(`Kafka topics ${prefix}.*: ${firstLine(error)}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const client = new cassandra.Client({ contactPoints: services.cassandraContactPoints, localDataCenter: 'datacenter1' });
  try {
    await client.connect();
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  } catch (error) {
    problems.push(`Cassandra keyspace ${keyspace}: ${firstLine(error)}`);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
  if (problems.length > 0) console.error(`could not remove everything the benchmark created: ${problems.join('; ')}`);
}

/** The pids of Kafka and Cassandra when `npm run services:up` started them (their CPU is part of a cluster's cost). */
export function servicePids(): number[] {
  try {
    const paths = resolveServicePaths();
    const versions = readServiceVersions(paths.projectServicesDir);
    return (['kafka', 'cassandra'] as ServiceName[]).flatMap((name) => {
      const pid = readPidFile(serviceLayout(paths, name, versions[name]).pidFile);
      return pid !== undefined ? [pid] : [];
    });
  } catch {
    return [];
  }
}
