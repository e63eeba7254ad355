import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Gauge, type Registry } from 'prom-client';

/**
 * Cairn's version, from the package.json found by walking up from this file: it sits two levels
 * up under tsx (`src/observability/`) and three once compiled (`dist/src/observability/`).
 * 'unknown' when there is none, so a metric never stops a server from starting.
 */
export function cairnVersion(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'cairn' && typeof pkg.version === 'string') return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/**
 * `cairn_build_info{version,node_version} 1`: which build a process runs, to join on in queries
 * (`* on(instance) group_left(version) cairn_build_info`) and to see a rolling deploy progress.
 */
export function registerBuildInfo(registry: Registry, version: string = cairnVersion()): Gauge<'version' | 'node_version'> {
  const info = new Gauge({
    name: 'cairn_build_info',
    help: 'Always 1; its labels say the Cairn version (package.json) and the Node.js version the process runs',
    labelNames: ['version', 'node_version'],
    registers: [registry],
  });
  info.set({ version, node_version: process.version }, 1);
  return info;
}
