import fs from 'node:fs';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { runJavaTool } from './java-process.js';
import type { ServiceContext, ServiceDefinition } from './service-definition.js';

const { Kafka, logLevel } = kafkajs;

export const KAFKA_HOST = '127.0.0.1';
export const KAFKA_PORT = 19092;
/** Fixed KRaft cluster id: base64url of "cairn-dev-kafka1" (16 bytes, 22 characters). */
export const KAFKA_CLUSTER_ID = 'Y2Fpcm4tZGV2LWthZmthMQ';
const MAIN_CLASS = 'kafka.Kafka';

function kafkaFiles(context: ServiceContext): { properties: string; logDirs: string; log4j: string } {
  return {
    properties: path.join(context.layout.dataDir, 'server.properties'),
    logDirs: path.join(context.layout.dataDir, 'kraft-logs'),
    log4j: path.join(context.projectServicesDir, 'kafka', 'log4j.properties'),
  };
}

/** Kafka 3.9 in KRaft mode, one combined broker+controller node on 127.0.0.1:19092 (controller 19093). */
export const kafkaService: ServiceDefinition = {
  name: 'kafka',
  host: KAFKA_HOST,
  port: KAFKA_PORT,
  addresses: [`${KAFKA_HOST}:${KAFKA_PORT}`],
  mainClass: MAIN_CLASS,
  readyTimeoutMs: 120_000,
  stopGraceMs: 30_000,

  async prepare(context) {
    const files = kafkaFiles(context);
    fs.mkdirSync(files.logDirs, { recursive: true });
    const template = fs.readFileSync(path.join(context.projectServicesDir, 'kafka', 'server.properties'), 'utf8');
    fs.writeFileSync(files.properties, template.replaceAll('@LOG_DIRS@', files.logDirs));
    if (fs.existsSync(path.join(files.logDirs, 'meta.properties'))) return;
    context.log(`kafka: formatting storage in ${files.logDirs} (cluster id ${KAFKA_CLUSTER_ID})`);
    await runJavaTool(
      context.javaBin,
      [
        '-Xmx256m',
        `-Dlog4j.configuration=file:${files.log4j}`,
        '-cp',
        path.join(context.layout.libDir, '*'),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        KAFKA_CLUSTER_ID,
        '-c',
        files.properties,
        '--ignore-formatted',
      ],
      { cwd: context.layout.dataDir, logFile: path.join(context.layout.dataDir, 'format.log') },
    );
  },

  javaArgs(context) {
    const files = kafkaFiles(context);
    return [
      '-Xms256m',
      '-Xmx512m',
      // kafka-run-class.sh's defaults.
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${files.log4j}`,
      `-Dkafka.logs.dir=${path.join(context.layout.dataDir, 'logs')}`,
      '-cp',
      path.join(context.layout.libDir, '*'),
      MAIN_CLASS,
      files.properties,
    ];
  },

  async probe() {
    const kafka = new Kafka({
      clientId: 'cairn-services-probe',
      brokers: [`${KAFKA_HOST}:${KAFKA_PORT}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 3000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};
