/**
 * npm run services:up | services:down | services:status | services:clean
 *
 * Runs real Apache Kafka 3.9 (KRaft, 127.0.0.1:19092) and Apache Cassandra 5.0 (127.0.0.1:19042)
 * from Maven Central jars as background processes. Jars are cached in
 * ${XDG_CACHE_HOME:-~/.cache}/cairn/services; data, logs and pid files live in its data/ folder
 * (or CAIRN_SERVICES_DIR).
 */
import { ServiceSetupError, ensureServices, servicesClean, servicesDown, servicesStatus } from './services.js';

const USAGE = 'usage: services-cli.ts up|down|status|clean';

function log(line: string): void {
  console.log(`[services] ${line}`);
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const started = Date.now();
      const addresses = await ensureServices({ log, useEnvironment: false });
      log(`all services ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      console.log(`KAFKA_BROKERS=${addresses.kafkaBrokers.join(',')}`);
      console.log(`CASSANDRA_CONTACT_POINTS=${addresses.cassandraContactPoints.join(',')}`);
      return 0;
    }
    case 'down':
      await servicesDown({ log });
      return 0;
    case 'status':
      return (await servicesStatus({ log })) ? 0 : 1;
    case 'clean':
      await servicesClean({ log });
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ServiceSetupError) console.error(`[services] ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
