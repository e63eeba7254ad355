import fs from 'node:fs';
import path from 'node:path';
import { cassandraService } from './cassandra-service.js';
import {
  ServiceSetupError,
  checkMaven,
  findJava17,
  isOurProcess,
  isProcessAlive,
  killProcess,
  readPidFile,
  runMaven,
  startDetached,
  stopProcess,
  tailFile,
  type DetachedProcess,
} from './java-process.js';
import { kafkaService } from './kafka-service.js';
import type { Log, ServiceContext, ServiceDefinition } from './service-definition.js';
import {
  readServiceVersions,
  resolveServicePaths,
  serviceLayout,
  type ServiceLayout,
  type ServiceName,
  type ServicePaths,
} from './service-paths.js';
import { isPortOpen, sleep, waitUntil } from './wait-until.js';

export { ServiceSetupError } from './java-process.js';
export type { Log } from './service-definition.js';

const DEFINITIONS: Record<ServiceName, ServiceDefinition> = { kafka: kafkaService, cassandra: cassandraService };
const LOG_TAIL_LINES = 40;

export interface ServiceAddresses {
  /** host:port of the Kafka brokers; empty when Kafka was not asked for. */
  kafkaBrokers: string[];
  /** host:port of the Cassandra contact points (local data center `datacenter1`); empty when not asked for. */
  cassandraContactPoints: string[];
}

export interface EnsureServicesOptions {
  /** Default true. */
  kafka?: boolean;
  /** Default true. */
  cassandra?: boolean;
  log: Log;
  /**
   * When true (the default), a service whose address is given in the environment (KAFKA_BROKERS,
   * CASSANDRA_CONTACT_POINTS: comma-separated host:port) is used as it is and not started here.
   */
  useEnvironment?: boolean;
  env?: NodeJS.ProcessEnv;
}

interface ServiceState {
  /** The pid from the pid file, when that process is alive and is this service. */
  pid: number | undefined;
  stalePidFile: boolean;
  portOpen: boolean;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function selected(options: { kafka?: boolean; cassandra?: boolean }): ServiceName[] {
  const names: ServiceName[] = [];
  if (options.kafka ?? true) names.push('kafka');
  if (options.cassandra ?? true) names.push('cassandra');
  return names;
}

function layouts(paths: ServicePaths): Record<ServiceName, ServiceLayout> {
  const versions = readServiceVersions(paths.projectServicesDir);
  return {
    kafka: serviceLayout(paths, 'kafka', versions.kafka),
    cassandra: serviceLayout(paths, 'cassandra', versions.cassandra),
  };
}

async function inspect(definition: ServiceDefinition, layout: ServiceLayout): Promise<ServiceState> {
  const recorded = readPidFile(layout.pidFile);
  const ours = recorded !== undefined && isOurProcess(recorded, [definition.mainClass, layout.dataDir]);
  return {
    pid: ours ? recorded : undefined,
    stalePidFile: recorded !== undefined && !ours,
    portOpen: await isPortOpen(definition.host, definition.port, 1000),
  };
}

function removeQuietly(file: string): void {
  fs.rmSync(file, { force: true, recursive: true });
}

/** Runs fn holding <lockFile> (created exclusively, holding our pid), so two `up`s never start one service twice. */
async function withStartLock<T>(lockFile: string, name: string, log: Log, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readPidFile(lockFile);
    if (holder === undefined || !isProcessAlive(holder)) {
      removeQuietly(lockFile); // left by a run that died
      continue;
    }
    if (Date.now() > deadline) throw new ServiceSetupError(`${name}: another services:up (pid ${holder}) still holds ${lockFile}`);
    if (!told) log(`${name}: another services:up (pid ${holder}) is starting it; waiting`);
    told = true;
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    if (readPidFile(lockFile) === process.pid) removeQuietly(lockFile);
  }
}

/** Makes calls run one after the other: two Maven runs never share ~/.m2 at once. */
function serialQueue(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

function jarCount(libDir: string): number {
  try {
    return fs.readdirSync(libDir).filter((name) => name.endsWith('.jar')).length;
  } catch {
    return 0;
  }
}

async function fetchJars(paths: ServicePaths, layout: ServiceLayout, log: Log): Promise<void> {
  if (fs.existsSync(layout.fetchedMarker) && jarCount(layout.libDir) > 0) return;
  checkMaven();
  const name = layout.name;
  log(`${name}: fetching ${name} ${layout.version} jars with Maven into ${layout.libDir} (once: later starts reuse them)`);
  const started = Date.now();
  const { downloaded } = await runMaven(
    [
      '-B',
      '-f',
      path.join(paths.projectServicesDir, 'pom.xml'),
      `-P${name}`,
      'dependency:copy-dependencies',
      `-Dcairn.services.cache=${paths.cacheRoot}`,
    ],
    {
      logFile: layout.mavenLog,
      onProgress: (count, ms) => log(`fetching ${name} jars (${Math.round(ms / 1000)} s, ${count} files downloaded)...`),
    },
  );
  const jars = jarCount(layout.libDir);
  if (jars === 0) throw new ServiceSetupError(`Maven ran but left no jars in ${layout.libDir}; see ${layout.mavenLog}`);
  fs.writeFileSync(layout.fetchedMarker, `${new Date().toISOString()} ${jars} jars\n`);
  log(`${name}: ${jars} jars ready in ${seconds(Date.now() - started)} (${downloaded} files downloaded from Maven Central)`);
}

/** Waits for the probe; when the service does not come up, stops it and throws with its log's tail. */
async function waitReady(
  definition: ServiceDefinition,
  layout: ServiceLayout,
  pid: number,
  log: Log,
  child?: DetachedProcess,
): Promise<number> {
  const name = definition.name;
  const result = await waitUntil(() => definition.probe(), {
    timeoutMs: definition.readyTimeoutMs,
    intervalMs: 500,
    progressEveryMs: 5000,
    onProgress: (ms) => log(`waiting for ${name} (${Math.round(ms / 1000)} s)...`),
    abortIf: () => {
      const exit = child?.exited();
      if (exit) return `the process exited (${exit.signal ?? `exit code ${exit.code}`})`;
      return isProcessAlive(pid) ? undefined : 'the process exited';
    },
  });
  if (result.ok) return result.elapsedMs;
  await stopProcess(pid, definition.stopGraceMs);
  removeQuietly(layout.pidFile);
  throw new ServiceSetupError(
    `${name} did not come up: ${result.reason}. It was stopped. Last ${LOG_TAIL_LINES} lines of ${layout.logFile}:\n` +
      tailFile(layout.logFile, LOG_TAIL_LINES),
  );
}

interface StartContext {
  paths: ServicePaths;
  log: Log;
  javaBin: () => string;
  fetchQueue: <T>(fn: () => Promise<T>) => Promise<T>;
}

async function ensureOne(definition: ServiceDefinition, layout: ServiceLayout, context: StartContext): Promise<void> {
  const { log } = context;
  const name = definition.name;
  const address = definition.addresses.join(',');

  const reuse = async (state: ServiceState): Promise<boolean> => {
    if (state.pid === undefined) return false;
    if (state.portOpen && (await definition.probe())) {
      log(`${name}: already running (pid ${state.pid}) at ${address}`);
      return true;
    }
    log(`${name}: running (pid ${state.pid}) but not answering yet; waiting`);
    const ms = await waitReady(definition, layout, state.pid, log);
    log(`${name}: ready after ${seconds(ms)} more (pid ${state.pid}) at ${address}`);
    return true;
  };

  if (await reuse(await inspect(definition, layout))) return;
  const lockTimeoutMs = definition.readyTimeoutMs + 600_000; // covers a first download by the holder
  await withStartLock(layout.lockFile, name, log, lockTimeoutMs, async () => {
    const state = await inspect(definition, layout);
    if (await reuse(state)) return;
    if (state.stalePidFile) removeQuietly(layout.pidFile);
    if (state.portOpen) {
      throw new ServiceSetupError(
        `${name}: port ${definition.host}:${definition.port} is already taken by a process that services:up did not start ` +
          `(no live pid in ${layout.pidFile}); stop that process, or give its address in the environment`,
      );
    }
    const javaBin = context.javaBin();
    await context.fetchQueue(() => fetchJars(context.paths, layout, log));
    fs.mkdirSync(layout.dataDir, { recursive: true });
    const serviceContext: ServiceContext = { javaBin, layout, projectServicesDir: context.paths.projectServicesDir, log };
    await definition.prepare(serviceContext);
    const child = startDetached(javaBin, definition.javaArgs(serviceContext), {
      cwd: layout.dataDir,
      logFile: layout.logFile,
      pidFile: layout.pidFile,
    });
    log(`${name}: started ${name} ${layout.version} (pid ${child.pid}), log ${layout.logFile}`);
    const ms = await waitReady(definition, layout, child.pid, log, child);
    log(`${name}: ready in ${seconds(ms)} (pid ${child.pid}) at ${address}`);
  });
}

function once<T>(fn: () => T): () => T {
  let result: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!result) {
      try {
        result = { value: fn() };
      } catch (error) {
        result = { error };
      }
    }
    if ('error' in result) throw result.error;
    return result.value;
  };
}

function fromEnvironment(value: string | undefined): string[] | undefined {
  const list = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return list.length > 0 ? list : undefined;
}

/**
 * Makes Kafka and/or Cassandra available and returns their addresses: reuses the ones already
 * running (pid file alive and a client answering), otherwise checks for Java 17 (and Maven when the
 * jars are not cached yet), fetches the jars once, and starts each as a detached process, both at
 * once, waiting until a real client gets answers. `npm run services:up` is this function.
 * Throws ServiceSetupError with what to install or the failing service's log tail.
 */
export async function ensureServices(options: EnsureServicesOptions): Promise<ServiceAddresses> {
  const env = options.env ?? process.env;
  const log = options.log;
  const names = selected(options);
  const addresses: ServiceAddresses = { kafkaBrokers: [], cassandraContactPoints: [] };
  const given: Partial<Record<ServiceName, string[]>> =
    (options.useEnvironment ?? true)
      ? { kafka: fromEnvironment(env.KAFKA_BROKERS), cassandra: fromEnvironment(env.CASSANDRA_CONTACT_POINTS) }
      : {};
  const toStart = names.filter((name) => {
    const external = given[name];
    if (external) log(`${name}: using ${external.join(',')} from the environment`);
    return !external;
  });

  if (toStart.length > 0) {
    const paths = resolveServicePaths(env);
    const all = layouts(paths);
    const context: StartContext = { paths, log, javaBin: once(() => findJava17(env)), fetchQueue: serialQueue() };
    const results = await Promise.allSettled(toStart.map((name) => ensureOne(DEFINITIONS[name], all[name], context)));
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (failures.length > 0) {
      const messages = [...new Set(failures.map((error) => (error instanceof Error ? error.message : String(error))))];
      const unexpected = failures.find((error) => !(error instanceof ServiceSetupError));
      if (unexpected && messages.length === 1) throw unexpected;
      throw new ServiceSetupError(messages.join('\n\n'));
    }
  }

  for (const name of names) {
    const list = given[name] ?? DEFINITIONS[name].addresses;
    if (name === 'kafka') addresses.kafkaBrokers = list;
    else addresses.cassandraContactPoints = list;
  }
  return addresses;
}

/**
 * Stops the services that services:up started (SIGTERM, then SIGKILL after a grace period);
 * `only` limits it to some of them (a fault test stops Cassandra alone).
 */
export async function servicesDown(options: { log: Log; env?: NodeJS.ProcessEnv; only?: readonly ServiceName[] }): Promise<void> {
  const { log } = options;
  const paths = resolveServicePaths(options.env ?? process.env);
  const all = layouts(paths);
  const names = options.only ?? (Object.keys(DEFINITIONS) as ServiceName[]);
  await Promise.all(
    names.map(async (name) => {
      const definition = DEFINITIONS[name];
      const layout = all[name];
      const state = await inspect(definition, layout);
      if (state.pid !== undefined) {
        log(`${name}: stopping (pid ${state.pid})`);
        const started = Date.now();
        const how = await stopProcess(state.pid, definition.stopGraceMs);
        log(`${name}: stopped in ${seconds(Date.now() - started)}${how === 'killed' ? ' (SIGKILL after SIGTERM timed out)' : ''}`);
      } else {
        log(`${name}: not running${state.stalePidFile ? ' (stale pid file removed)' : ''}`);
      }
      removeQuietly(layout.pidFile);
      if (await isPortOpen(definition.host, definition.port, 1000)) {
        log(`${name}: warning: ${definition.host}:${definition.port} still answers; that process was not started by services:up`);
      }
    }),
  );
}

/**
 * `kill -9` of one service that services:up started, for fault tests: nothing is flushed or shut
 * down cleanly, as in a crash. Its data dir stays, so `ensureServices` restarts it on the same
 * data. Resolves once the process is gone, with its pid (undefined when it was not running).
 */
export async function killService(name: ServiceName, options: { log: Log; env?: NodeJS.ProcessEnv }): Promise<number | undefined> {
  const layout = layouts(resolveServicePaths(options.env ?? process.env))[name];
  const { pid } = await inspect(DEFINITIONS[name], layout);
  if (pid === undefined) {
    options.log(`${name}: not running, nothing to kill`);
    return undefined;
  }
  await killProcess(pid);
  removeQuietly(layout.pidFile);
  options.log(`${name}: killed with SIGKILL (pid ${pid})`);
  return pid;
}

/** Prints each service's state; true when both are running and answering a real client. */
export async function servicesStatus(options: { log: Log; env?: NodeJS.ProcessEnv }): Promise<boolean> {
  const { log } = options;
  const paths = resolveServicePaths(options.env ?? process.env);
  const all = layouts(paths);
  let allReady = true;
  for (const name of Object.keys(DEFINITIONS) as ServiceName[]) {
    const definition = DEFINITIONS[name];
    const layout = all[name];
    const state = await inspect(definition, layout);
    const ready = state.pid !== undefined && state.portOpen && (await definition.probe());
    allReady &&= ready;
    const running = state.pid !== undefined ? `running (pid ${state.pid})` : 'not running';
    const port = `${definition.host}:${definition.port} ${state.portOpen ? 'answering' : 'not answering'}`;
    log(`${name} ${layout.version}: ${running}, ${port}, ${ready ? 'READY' : 'not ready'}`);
    log(`  data ${layout.dataDir}`);
    log(`  log  ${layout.logFile}`);
    if (state.stalePidFile) log(`  stale pid file ${layout.pidFile} (its process is gone)`);
  }
  return allReady;
}

/** services:down, then removes the data dirs, logs and pid files (the jar cache stays). */
export async function servicesClean(options: { log: Log; env?: NodeJS.ProcessEnv }): Promise<void> {
  await servicesDown(options);
  const paths = resolveServicePaths(options.env ?? process.env);
  for (const layout of Object.values(layouts(paths))) {
    for (const file of [layout.dataDir, layout.logFile, `${layout.logFile}.1`, layout.pidFile, layout.lockFile]) {
      removeQuietly(file);
    }
    options.log(`${layout.name}: removed ${layout.dataDir} and its log`);
  }
}
