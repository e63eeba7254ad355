import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

const cluster = {
  CAIRN_KAFKA_BROKERS: 'k1:9092,k2:9092',
  CAIRN_CASSANDRA_CONTACT_POINTS: 'c1:9042',
  CAIRN_NODE_ID: 'cairn-1',
};

describe('configuration', () => {
  it('needs nothing for one embedded process', () => {
    const loaded = loadConfig({});
    expect(loaded).toMatchObject({ ok: true, config: { port: 7420, partitions: 64, topicPrefix: 'cairn' } });
    expect(loaded.ok && loaded.config.kafkaBrokers).toBeUndefined();
  });

  it('reads a cluster node\'s settings', () => {
    const loaded = loadConfig({ ...cluster, CAIRN_PARTITIONS: '12', CAIRN_TOPIC_PREFIX: 'prod', CAIRN_KAFKA_SESSION_TIMEOUT_MS: '6000' });
    expect(loaded).toMatchObject({
      ok: true,
      config: { kafkaBrokers: ['k1:9092', 'k2:9092'], nodeId: 'cairn-1', partitions: 12, topicPrefix: 'prod', kafkaSessionTimeoutMs: 6000 },
    });
  });

  it('refuses a cluster node without a node id or a shared journal, naming the variables', () => {
    const loaded = loadConfig({ CAIRN_KAFKA_BROKERS: 'k1:9092' });
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems).toEqual([
      expect.stringMatching(/^CAIRN_NODE_ID: is required when CAIRN_KAFKA_BROKERS is set/),
      expect.stringMatching(/^CAIRN_CASSANDRA_CONTACT_POINTS: is required when CAIRN_KAFKA_BROKERS is set: the nodes of a cluster share one journal/),
    ]);
  });

  it('refuses bad cluster values, one line each, with what was given', () => {
    const loaded = loadConfig({ ...cluster, CAIRN_PARTITIONS: '0', CAIRN_NODE_ID: 'no spaces', CAIRN_KAFKA_BROKERS: 'a:1,,b:2', CAIRN_KAFKA_SESSION_TIMEOUT_MS: '10' });
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems).toHaveLength(4);
    expect(problems).toContainEqual(expect.stringMatching(/^CAIRN_PARTITIONS: .*\(got "0"\)$/));
    expect(problems).toContainEqual(expect.stringMatching(/^CAIRN_NODE_ID: must be 1-64 letters.*\(got "no spaces"\)$/));
    expect(problems).toContainEqual(expect.stringMatching(/^CAIRN_KAFKA_BROKERS: must be host:port/));
    expect(problems).toContainEqual(expect.stringMatching(/^CAIRN_KAFKA_SESSION_TIMEOUT_MS: /));
  });

  it('reads the overload bounds, with defaults, and 0 to turn a signal off', () => {
    expect(loadConfig({})).toMatchObject({ ok: true, config: { overloadMaxInFlight: 2048, overloadMaxLoopDelayMs: 100, overloadWindowMs: 1000 } });
    const loaded = loadConfig({ CAIRN_OVERLOAD_MAX_IN_FLIGHT: '0', CAIRN_OVERLOAD_MAX_LOOP_DELAY_MS: '0', CAIRN_OVERLOAD_WINDOW_MS: '250' });
    expect(loaded).toMatchObject({ ok: true, config: { overloadMaxInFlight: 0, overloadMaxLoopDelayMs: 0, overloadWindowMs: 250 } });
  });

  it('refuses overload bounds that cannot work, naming the variables', () => {
    const loaded = loadConfig({ CAIRN_OVERLOAD_MAX_IN_FLIGHT: '-1', CAIRN_OVERLOAD_MAX_LOOP_DELAY_MS: 'soon', CAIRN_OVERLOAD_WINDOW_MS: '10' });
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems).toHaveLength(3);
    expect(problems).toContainEqual(expect.stringMatching(/^CAIRN_OVERLOAD_MAX_IN_FLIGHT: .*\(got "-1"\)$/));
    expect(problems).toContainEqual(expect.stringMatching(/^CAIRN_OVERLOAD_MAX_LOOP_DELAY_MS: .*\(got "soon"\)$/));
    expect(problems).toContainEqual(expect.stringMatching(/^CAIRN_OVERLOAD_WINDOW_MS: .*\(got "10"\)$/));
  });

  it('says what is wrong with a bad token secret without repeating it', () => {
    const secret = 'short-s3cret';
    const loaded = loadConfig({ CAIRN_TOKEN_SECRET: secret });
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems).toEqual(['CAIRN_TOKEN_SECRET: must be at least 16 characters']);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('does not repeat a token secret from a config file, even one that does not parse', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-config-'));
    try {
      const short = path.join(dir, 'short.yaml');
      fs.writeFileSync(short, 'tokenSecret: short-s3cret\n');
      const tooShort = loadConfig({ CAIRN_CONFIG_FILE: short });
      expect(tooShort).toEqual({ ok: false, problems: [`${short}: tokenSecret: must be at least 16 characters`] });

      const broken = path.join(dir, 'broken.yaml');
      fs.writeFileSync(broken, 'port: 7420\ntokenSecret: "a-long-secret-never-closed\n');
      const unparsed = loadConfig({ CAIRN_CONFIG_FILE: broken });
      expect(unparsed.ok).toBe(false);
      const problems = unparsed.ok ? [] : unparsed.problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]!.startsWith(`${broken}: `)).toBe(true);
      expect(problems[0]).toMatch(/at line \d+, column \d+$/);
      expect(problems.join('\n')).not.toContain('a-long-secret-never-closed');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
