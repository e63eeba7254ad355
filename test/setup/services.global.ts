import type { TestProject } from 'vitest/node';
import { ensureServices } from '../../src/services/services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the Cassandra nodes the integration suites use. */
    cassandraContactPoints: string[];
    kafkaBrokers: string[];
  }
}

/**
 * Before any suite runs: real Kafka and Cassandra for the integration suites. Addresses in the
 * environment (CASSANDRA_CONTACT_POINTS, KAFKA_BROKERS, e.g. from docker compose) are used as
 * they are; otherwise the services are started from their Maven jars (reused when running).
 */
export default async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  const addresses = await ensureServices({
    kafka: true,
    cassandra: true,
    log: (line: string) => process.stderr.write(`[services] ${line}\n`),
  });
  process.stderr.write(`[services] ready in ${((Date.now() - started) / 1000).toFixed(1)} s: cassandra ${addresses.cassandraContactPoints.join(',')}, kafka ${addresses.kafkaBrokers.join(',')}\n`);
  project.provide('cassandraContactPoints', addresses.cassandraContactPoints);
  project.provide('kafkaBrokers', addresses.kafkaBrokers);
}
