/**
 * Child processes and /proc readings for the load benchmarks: start a process and wait for its
 * JSON ready line, sample resident memory and CPU time of a process, and the machine's CPU.
 * Linux only (/proc); readings are undefined elsewhere.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface StartedChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The parsed ready line. */
  readonly ready: Record<string, unknown>;
  /** The last 64 KiB the process wrote (stdout and stderr). */
  output(): string;
  /** Lines of stdout that parse as JSON with a pino level >= 40 (warn), counted by message. */
  warnings(): ReadonlyMap<string, number>;
  /** Set once the process has exited. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves on exit. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const KEEP_OUTPUT = 64 * 1024;

/**
 * Spawns `node [args]` and resolves once a stdout line parses as JSON and `isReady` accepts it.
 * Rejects if the process exits first or nothing is ready within `timeoutMs`. `onSpawn` sees the
 * child at once, so that an interrupt while it starts can still kill it.
 */
export function startChild(
  args: readonly string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    isReady: (line: Record<string, unknown>) => boolean;
    timeoutMs?: number;
    onSpawn?: (child: ChildProcess) => void;
  },
): Promise<StartedChild> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.onSpawn?.(child);
  let output = '';
  let partial = '';
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const warnings = new Map<string, number>();
  const keep = (text: string) => {
    output += text;
    if (output.length > KEEP_OUTPUT) output = output.slice(-KEEP_OUTPUT);
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    }),
  );
  return new Promise<StartedChild>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not get ready in time:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    child.stderr!.on('data', (chunk: Buffer) => keep(chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      keep(text);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (typeof parsed.level === 'number' && parsed.level >= 40) {
          const err = parsed.err as { message?: unknown } | undefined;
          const key = `${String(parsed.level)} ${String(parsed.msg)}${err?.message !== undefined ? ` (${String(err.message)})` : ''}`;
          warnings.set(key, (warnings.get(key) ?? 0) + 1);
        }
        if (!done && options.isReady(parsed)) {
          done = true;
          clearTimeout(timer);
          resolve({
            child,
            pid: child.pid!,
            ready: parsed,
            output: () => output,
            warnings: () => warnings,
            exit: () => exitInfo,
            exited,
            async stop(graceMs = 15_000) {
              if (exitInfo) return exitInfo;
              child.kill('SIGTERM');
              const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
              const info = await exited;
              clearTimeout(killer);
              return info;
            },
          });
        }
      }
    });
    void exited.then((info) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${info.code ?? info.signal}) before it was ready:\n${output}`));
    });
  });
}

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM, ...). */
export function statusKb(pid: number | 'self', field: string): number | undefined {
  const text = readProc(`/proc/${pid}/status`);
  const match = text && new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Open file descriptors of a process. */
export function openFds(pid: number | 'self'): number | undefined {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (asked once). */
const ticksPerSecond = (() => {
  let ticks: number | undefined;
  return (): number => (ticks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100);
})();

/** CPU seconds (user + system) a process has used. */
export function cpuSeconds(pid: number): number | undefined {
  const text = readProc(`/proc/${pid}/stat`);
  if (!text) return undefined;
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond();
}

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } | undefined {
  const line = readProc('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Samples a process's VmRSS (and this process's) every `everyMs`, keeping the peaks. */
export function rssSampler(everyMs = 500) {
  const watched = new Map<number, { peakKb: number; lastKb: number }>();
  let selfPeakKb = 0;
  const sample = () => {
    for (const [pid, seen] of watched) {
      const kb = statusKb(pid, 'VmRSS');
      if (kb === undefined) continue;
      seen.lastKb = kb;
      seen.peakKb = Math.max(seen.peakKb, kb);
    }
    selfPeakKb = Math.max(selfPeakKb, Math.round(process.memoryUsage.rss() / 1024));
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    watch(pid: number) {
      watched.set(pid, { peakKb: 0, lastKb: 0 });
      sample();
    },
    /** Forgets the peak so far (a new phase starts). */
    resetPeak(pid: number) {
      const seen = watched.get(pid);
      if (seen) seen.peakKb = seen.lastKb;
    },
    peakKb: (pid: number) => watched.get(pid)?.peakKb ?? 0,
    selfPeakKb: () => selfPeakKb,
    sample,
    stop: () => clearInterval(timer),
  };
}

/** Prometheus text format to a map of `name{labels}` → value. */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The soft limit on open files this process (and its children) run with, via the shell's ulimit. */
export function openFileLimit(): { soft: number; hard: number } {
  const read = (flag: string) => {
    const out = spawnSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' });
    const text = out.stdout?.trim() ?? '';
    return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text) || 0;
  };
  return { soft: read('-n'), hard: read('-Hn') };
}

/**
 * Whether `connections` sockets fit: this process and the server each hold one descriptor per
 * connection, plus ~100 of their own. Prints the limits, and how to raise them when they do not fit.
 */
export function descriptorsFit(connections: number, command: string): boolean {
  const limit = openFileLimit();
  const ports = ephemeralPortRange();
  const needed = connections + 100;
  console.log(`ulimit -n: soft ${limit.soft}, hard ${limit.hard}; the run needs ${needed} per process`);
  if (ports && connections > ports.high - ports.low + 1) {
    console.log(`WARNING: ${connections} connections from one address exceed the ephemeral port range ${ports.low}-${ports.high}.`);
  }
  if (limit.soft >= needed) return true;
  console.error(
    `\nThe open-files limit (ulimit -n = ${limit.soft}) is too low for ${connections} connections. Raise it for the command, e.g.\n` +
      `  bash -c 'ulimit -n ${Math.min(limit.hard, Math.max(needed, 1024))} && npx ${command}'\n` +
      (limit.hard < needed ? `(the hard limit is ${limit.hard}: ask for a higher one, or run fewer players)\n` : ''),
  );
  return false;
}

export function ephemeralPortRange(): { low: number; high: number } | undefined {
  const text = readProc('/proc/sys/net/ipv4/ip_local_port_range');
  if (!text) return undefined;
  const [low, high] = text.trim().split(/\s+/).map(Number);
  return low !== undefined && high !== undefined ? { low, high } : undefined;
}

/** The accept queue of the socket listening on 127.0.0.1:`port` (connections the kernel completed, not yet accepted), from /proc/net/tcp. */
export function acceptQueue(port: number): { queued: number } | undefined {
  const text = readProc('/proc/net/tcp');
  if (!text) return undefined;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // f[1] local address, f[3] state (0A = LISTEN), f[4] tx_queue:rx_queue (rx_queue of a LISTEN socket: the accept queue)
    if (f[3] !== '0A' || !f[1]?.endsWith(`:${hexPort}`)) continue;
    return { queued: parseInt((f[4] ?? '0:0').split(':')[1] ?? '0', 16) };
  }
  return undefined;
}

/** TcpExt ListenOverflows (SYNs dropped because an accept queue was full), machine-wide, from /proc/net/netstat. */
export function listenOverflows(): number | undefined {
  const lines = readProc('/proc/net/netstat')?.split('\n') ?? [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (!lines[i]!.startsWith('TcpExt:')) continue;
    const names = lines[i]!.split(/\s+/);
    const values = lines[i + 1]!.split(/\s+/);
    const at = names.indexOf('ListenOverflows');
    return at > 0 ? Number(values[at]) : undefined;
  }
  return undefined;
}
