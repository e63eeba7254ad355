import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep } from './wait-until.js';

/** A prerequisite is missing or a service could not be started: the message says what to do. */
export class ServiceSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceSetupError';
  }
}

const REQUIRED_JAVA = 17;
const INSTALL_JAVA = 'apt-get install openjdk-17-jre-headless';
const INSTALL_MAVEN = 'apt-get install maven';

/** Major version of a `java` binary (from `java -version`), or undefined when it does not run. */
export function javaMajorVersion(javaBin: string): { major: number; line: string } | undefined {
  const result = spawnSync(javaBin, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (result.error || result.status !== 0) return undefined;
  const text = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  // Java 8 and older report "1.8.0_…".
  const major = first === 1 && match[2] ? Number(match[2]) : first;
  return { major, line: text.split('\n')[0]?.trim() ?? '' };
}

/**
 * Finds a Java 17 runtime: `java` on PATH, then $JAVA_HOME/bin/java, then /usr/lib/jvm/*17*.
 * Cassandra 5.0 runs on Java 11 or 17 only, and Kafka 3.9 runs on 17, so 17 it is.
 */
export function findJava17(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = ['java'];
  if (env.JAVA_HOME) candidates.push(path.join(env.JAVA_HOME, 'bin', 'java'));
  const jvmDir = '/usr/lib/jvm';
  if (fs.existsSync(jvmDir)) {
    for (const entry of fs.readdirSync(jvmDir).sort()) {
      if (/(^|[^0-9])17([^0-9]|$)/.test(entry)) candidates.push(path.join(jvmDir, entry, 'bin', 'java'));
    }
  }
  const seen: string[] = [];
  for (const candidate of candidates) {
    const version = javaMajorVersion(candidate);
    if (!version) continue;
    if (version.major === REQUIRED_JAVA) return candidate;
    seen.push(`${candidate}: ${version.line}`);
  }
  const found = seen.length > 0 ? `found only: ${seen.join('; ')}` : 'no `java` found on PATH or in JAVA_HOME';
  throw new ServiceSetupError(
    `Java ${REQUIRED_JAVA} is needed to run Kafka 3.9 and Cassandra 5.0 (Cassandra 5.0 runs on Java 11 or 17 only), ${found}.\n` +
      `Install it: ${INSTALL_JAVA}   (or set JAVA_HOME to a JDK 17)`,
  );
}

/** Throws with the install command when Maven is missing (it is needed only to fetch the jars once). */
export function checkMaven(): void {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8', timeout: 60_000 });
  if (result.error || result.status !== 0) {
    throw new ServiceSetupError(
      'Maven (`mvn`) is needed once to fetch the Kafka and Cassandra jars from Maven Central, and `mvn -v` failed' +
        `${result.error ? ` (${result.error.message})` : ''}.\nInstall it: ${INSTALL_MAVEN}`,
    );
  }
}

/**
 * Runs Maven with its output going to logFile; onProgress gets the count of files downloaded so
 * far about every progressEveryMs. Resolves on exit 0, throws with the log's tail otherwise.
 */
export async function runMaven(
  args: string[],
  options: { logFile: string; onProgress: (downloaded: number, elapsedMs: number) => void; progressEveryMs?: number },
): Promise<{ downloaded: number }> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.createWriteStream(options.logFile);
  const started = Date.now();
  let downloaded = 0;
  let pending = '';
  const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (chunk: Buffer): void => {
    log.write(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.includes('Downloaded from')) downloaded += 1;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setInterval(() => options.onProgress(downloaded, Date.now() - started), options.progressEveryMs ?? 3000);
  const exitCode = await new Promise<number>((resolve) => {
    child.once('error', (error) => {
      log.write(`\n${error.message}\n`);
      resolve(-1);
    });
    child.once('close', (code) => resolve(code ?? -1));
  });
  clearInterval(timer);
  await new Promise<void>((resolve) => log.end(resolve));
  if (exitCode !== 0) {
    throw new ServiceSetupError(
      `mvn ${args.join(' ')} failed (exit ${exitCode}); its log is ${options.logFile}:\n${tailFile(options.logFile, 30)}`,
    );
  }
  return { downloaded };
}

/** Runs java to completion (for one-off tools such as Kafka's StorageTool), output appended to logFile. */
export async function runJavaTool(javaBin: string, args: string[], options: { cwd: string; logFile: string }): Promise<void> {
  const fd = fs.openSync(options.logFile, 'a');
  try {
    const child = spawn(javaBin, args, { cwd: options.cwd, stdio: ['ignore', fd, fd] });
    const exitCode = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(-1));
      child.once('close', (code) => resolve(code ?? -1));
    });
    if (exitCode !== 0) {
      throw new ServiceSetupError(
        `${javaBin} ${args.slice(-6).join(' ')} failed (exit ${exitCode}); see ${options.logFile}:\n${tailFile(options.logFile, 40)}`,
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

export interface DetachedProcess {
  pid: number;
  /** Set when the process ended while this Node process was still watching it. */
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/**
 * Starts a long-running java process in its own session, detached from this Node process, stdout and
 * stderr to logFile (the previous log is kept as <logFile>.1), and records its pid in pidFile.
 */
export function startDetached(
  javaBin: string,
  args: string[],
  options: { cwd: string; logFile: string; pidFile: string },
): DetachedProcess {
  if (fs.existsSync(options.logFile)) fs.renameSync(options.logFile, `${options.logFile}.1`);
  const fd = fs.openSync(options.logFile, 'w');
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  try {
    const child = spawn(javaBin, args, { cwd: options.cwd, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new ServiceSetupError(`could not start ${javaBin}: no pid`);
    child.once('exit', (code, signal) => {
      exit = { code, signal };
    });
    child.once('error', (error) => {
      exit = { code: -1, signal: null };
      fs.appendFileSync(options.logFile, `\n${error.message}\n`);
    });
    child.unref();
    fs.writeFileSync(options.pidFile, `${child.pid}\n`);
    return { pid: child.pid, exited: () => exit };
  } finally {
    fs.closeSync(fd);
  }
}

export function readPidFile(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when pid names a live (not zombie) process. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: kill(0) is all we know
  }
}

/**
 * True when pid is alive and its command line holds every marker (main class, data dir), so a pid
 * file left from an old run is not taken for an unrelated process that got the same pid.
 */
export function isOurProcess(pid: number, markers: string[]): boolean {
  if (!isProcessAlive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return true; // no /proc: trust the pid file
  }
  return markers.every((marker) => cmdline.includes(marker));
}

/** SIGTERM, wait up to graceMs, then SIGKILL. Resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs: number): Promise<'terminated' | 'killed' | 'gone'> {
  if (!isProcessAlive(pid)) return 'gone';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return 'terminated';
    await sleep(200);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'terminated';
  }
  for (let i = 0; i < 50 && isProcessAlive(pid); i++) await sleep(100);
  return 'killed';
}

/** SIGKILL at once, as a crash would: no shutdown hooks run. Resolves once the process is gone. */
export async function killProcess(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // already gone
  }
  while (isProcessAlive(pid)) await sleep(50);
}

/** The last `lines` lines of a text file ('' when it does not exist). */
export function tailFile(file: string, lines: number): string {
  let text: string;
  try {
    const size = fs.statSync(file).size;
    const length = Math.min(size, 256 * 1024);
    const buffer = Buffer.alloc(length);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, buffer, 0, length, size - length);
    } finally {
      fs.closeSync(fd);
    }
    text = buffer.toString('utf8');
  } catch {
    return '';
  }
  return text.replace(/\n$/, '').split('\n').slice(-lines).join('\n');
}
