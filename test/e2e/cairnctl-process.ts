import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cairnctl args...` (from the sources) and resolves with its exit code and output. */
export function cairnctl(args: readonly string[], timeoutMs = 25_000): Promise<Run> {
  const env = { ...process.env };
  for (const name of ['CAIRN_URL', 'CAIRN_TOKEN', 'CAIRN_TOKEN_SECRET']) delete env[name];
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/cairnctl.ts'), ...args], { cwd: ROOT, env, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `cairnctl args...` running, with its stdin to type into: for the interactive `play`. */
export function cairnctlSession(args: readonly string[]) {
  const env = { ...process.env };
  for (const name of ['CAIRN_URL', 'CAIRN_TOKEN', 'CAIRN_TOKEN_SECRET']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/cairnctl.ts'), ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return {
    send(line: string): void {
      child.stdin.write(`${line}\n`);
    },
    /** Resolves once stdout matches `pattern`; rejects after `timeoutMs` with what was printed. */
    async until(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stdout)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in cairnctl's output:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** Resolves when the process ends by itself; kills it after `timeoutMs`. */
    exited(timeoutMs = 20_000): Promise<Run> {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      return exit.finally(() => clearTimeout(timer));
    },
  };
}
