import { execFile } from 'node:child_process';
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
