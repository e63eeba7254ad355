import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Service {
  image?: string;
  build?: string;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const nodes = ['cairn-1', 'cairn-2', 'cairn-3'];

/** What an operator exports before `docker compose up`: the variables compose requires (`${VAR:?message}`). */
const REQUIRED = { CAIRN_TOKEN_SECRET: 'a-test-secret-0123456789abcdef' };

/**
 * Docker Compose's interpolation with only REQUIRED set: `${VAR:-default}` takes its default,
 * `${VAR:?message}` the REQUIRED value (and fails, as compose does, for a variable not in it).
 */
const interpolate = (value: string) =>
  String(value)
    .replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_all, name: string, fallback: string) => (REQUIRED as Record<string, string>)[name] ?? fallback)
    .replace(/\$\{([A-Z_]+):\?([^}]*)\}/g, (_all, name: string, message: string) => {
      const set = (REQUIRED as Record<string, string>)[name];
      if (set === undefined) throw new Error(`compose would refuse to start: ${name}: ${message}`);
      return set;
    });

describe('docker-compose.yml', () => {
  it('runs Kafka, Cassandra, three Cairn nodes and Prometheus', () => {
    expect(Object.keys(services).sort()).toEqual(['cairn-1', 'cairn-2', 'cairn-3', 'cassandra', 'kafka', 'prometheus']);
    expect(services.kafka!.image).toMatch(/^apache\/kafka:3\.9/);
    expect(services.cassandra!.image).toMatch(/^cassandra:5\.0/);
  });

  it('runs Cassandra with Paxos v2, as the bundled services do', () => {
    expect(services.cassandra!.environment?.JVM_EXTRA_OPTS).toContain('-Dcassandra.settings.paxos_variant=v2');
    const bundled = parse(fs.readFileSync(path.join(ROOT, 'services/cassandra/cassandra.yaml'), 'utf8')) as { paxos_variant?: string };
    expect(bundled.paxos_variant).toBe('v2');
  });

  it('gives every Cairn node only settings the server knows, and values it accepts', () => {
    const known = new Set(Object.values(ENV_NAMES));
    for (const name of nodes) {
      const env = Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
      for (const variable of Object.keys(env).filter((k) => k.startsWith('CAIRN_'))) expect(known, `${name}: ${variable}`).toContain(variable);
      const loaded = loadConfig(env);
      expect(loaded, `${name}: ${JSON.stringify(loaded)}`).toMatchObject({ ok: true });
      if (!loaded.ok) continue;
      expect(loaded.config.host).toBe('0.0.0.0');
      expect(loaded.config.tokenSecret, 'a node must not fall back to the development secret').toBeDefined();
      expect(loaded.config.cassandraContactPoints).toEqual(['cassandra:9042']);
      expect(loaded.config.kafkaBrokers).toEqual(['kafka:9092']);
    }
  });

  it('requires a token secret from the environment instead of falling back to one everybody knows', () => {
    for (const name of nodes) {
      const written = services[name]!.environment!.CAIRN_TOKEN_SECRET!;
      expect(written, name).toMatch(/^\$\{CAIRN_TOKEN_SECRET:\?[^}]+\}$/);
      const env = Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
      const loaded = loadConfig(env);
      expect(loaded.ok && loaded.config.tokenSecret, name).toBe(REQUIRED.CAIRN_TOKEN_SECRET);
    }
    expect(() => interpolate('${CAIRN_NOT_EXPORTED:?set it}')).toThrow(/refuse to start: CAIRN_NOT_EXPORTED: set it/);
  });

  it('makes the nodes one cluster: the same topics and partition count, a node id each', () => {
    const configs = nodes.map((name) => {
      const env = Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
      const loaded = loadConfig(env);
      if (!loaded.ok) throw new Error(`${name}: ${loaded.problems.join('; ')}`);
      return loaded.config;
    });
    expect(new Set(configs.map((c) => c.nodeId)).size).toBe(nodes.length);
    expect(new Set(configs.map((c) => `${c.topicPrefix}/${c.partitions}/${c.cassandraKeyspace}`)).size).toBe(1);
  });

  it('publishes each node on its own host port, mapped to the port the server listens on', () => {
    const hostPorts = nodes.map((name) => {
      const env = services[name]!.environment!;
      const [mapping] = services[name]!.ports!;
      const [hostPort, containerPort] = mapping!.split(':');
      expect(containerPort).toBe(env.CAIRN_PORT);
      return hostPort;
    });
    expect(new Set(hostPorts).size).toBe(3);
  });

  it('starts the nodes after healthy Kafka and Cassandra, each with a readiness health check', () => {
    for (const name of nodes) {
      const node = services[name]!;
      expect(node.depends_on).toEqual({ cassandra: { condition: 'service_healthy' }, kafka: { condition: 'service_healthy' } });
      expect(node.healthcheck!.test.join(' ')).toContain(`:${node.environment!.CAIRN_PORT}/readyz`);
    }
    expect(services.kafka!.healthcheck).toBeDefined();
    expect(services.cassandra!.healthcheck).toBeDefined();
  });

  it('has Prometheus scrape every node at the port it listens on', () => {
    const [mount] = services.prometheus!.volumes!;
    const file = mount!.split(':')[0]!;
    const prometheus = parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as {
      scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[];
    };
    const [job] = prometheus.scrape_configs;
    expect(job!.metrics_path).toBe('/metrics');
    expect(job!.static_configs[0]!.targets.sort()).toEqual(nodes.map((n) => `${n}:${services[n]!.environment!.CAIRN_PORT}`));
  });

  it('builds the nodes from the Dockerfile, whose image runs the compiled server', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    for (const name of nodes) expect(services[name]!.build).toBe('.');
    expect(dockerfile).toContain('CMD ["node", "dist/src/main.js"]');
    expect(fs.existsSync(path.join(ROOT, 'src/main.ts'))).toBe(true);
  });
});
