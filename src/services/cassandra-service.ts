import fs from 'node:fs';
import path from 'node:path';
import cassandra from 'cassandra-driver';
import type { ServiceContext, ServiceDefinition } from './service-definition.js';
import { ServiceSetupError } from './java-process.js';
import { isPortOpen } from './wait-until.js';

export const CASSANDRA_HOST = '127.0.0.1';
export const CASSANDRA_PORT = 19042;
export const CASSANDRA_LOCAL_DC = 'datacenter1';
const MAIN_CLASS = 'org.apache.cassandra.service.CassandraDaemon';

/** services/cassandra/jvm17.options: one flag a line, '#' comments. */
export function readJvmOptions(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .flatMap((line) => line.split(/\s+/));
}

function jammAgent(libDir: string): string {
  const jar = fs.readdirSync(libDir).find((name) => /^jamm-[\d.]+\.jar$/.test(name));
  if (!jar) throw new ServiceSetupError(`no jamm-*.jar in ${libDir}: delete ${path.dirname(libDir)} and run services:up again`);
  return path.join(libDir, jar);
}

/** Cassandra 5.0, one node: CQL on 127.0.0.1:19042, storage 17000, no JMX port. */
export const cassandraService: ServiceDefinition = {
  name: 'cassandra',
  host: CASSANDRA_HOST,
  port: CASSANDRA_PORT,
  addresses: [`${CASSANDRA_HOST}:${CASSANDRA_PORT}`],
  mainClass: MAIN_CLASS,
  readyTimeoutMs: 180_000,
  stopGraceMs: 45_000,

  async prepare(context: ServiceContext) {
    for (const dir of ['logs', 'triggers']) fs.mkdirSync(path.join(context.layout.dataDir, dir), { recursive: true });
  },

  javaArgs(context: ServiceContext) {
    const templates = path.join(context.projectServicesDir, 'cassandra');
    const dataDir = context.layout.dataDir;
    return [
      '-Xms512m',
      '-Xmx1g',
      ...readJvmOptions(path.join(templates, 'jvm17.options')),
      '-XX:+ExitOnOutOfMemoryError',
      `-javaagent:${jammAgent(context.layout.libDir)}`,
      // Keep stdout/stderr open: the log goes there (see logback.xml).
      '-Dcassandra-foreground=yes',
      `-Dcassandra.config=file://${path.join(templates, 'cassandra.yaml')}`,
      // Data, commitlog, hints, saved_caches and cdc_raw all derive from the storage dir.
      `-Dcassandra.storagedir=${dataDir}`,
      `-Dcassandra.logdir=${path.join(dataDir, 'logs')}`,
      `-Dcassandra.triggers_dir=${path.join(dataDir, 'triggers')}`,
      `-Dlogback.configurationFile=${path.join(templates, 'logback.xml')}`,
      // A lone seed node has no gossip to wait for.
      '-Dcassandra.skip_wait_for_gossip_to_settle=0',
      // The memtable's per-row overhead, which Cassandra otherwise measures at every start by
      // filling a 100,000-entry map (about 1 s on 2 cores); 180 bytes is what it measures on this
      // JDK and heap. It only sizes memtables for flushing: nothing about durability.
      // No -Dcassandra.unsafesystem: it skips flushing the schema tables, and a kill -9 then
      // loses every keyspace and table created since the last start, with their data.
      '-Dcassandra.memtable.row_overhead_size=180',
      '-cp',
      path.join(context.layout.libDir, '*'),
      MAIN_CLASS,
    ];
  },

  async probe() {
    if (!(await isPortOpen(CASSANDRA_HOST, CASSANDRA_PORT, 1000))) return false;
    const client = new cassandra.Client({
      contactPoints: [`${CASSANDRA_HOST}:${CASSANDRA_PORT}`],
      localDataCenter: CASSANDRA_LOCAL_DC,
      socketOptions: { connectTimeout: 2000, readTimeout: 5000 },
    });
    try {
      await client.connect();
      const result = await client.execute('SELECT release_version FROM system.local');
      return typeof result.first()?.get('release_version') === 'string';
    } catch {
      return false;
    } finally {
      await client.shutdown().catch(() => undefined);
    }
  },
};
