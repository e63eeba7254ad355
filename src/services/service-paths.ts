import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServiceName = 'kafka' | 'cassandra';

export interface ServicePaths {
  /** The project's services/ folder: pom.xml and the config templates. */
  projectServicesDir: string;
  /** ${XDG_CACHE_HOME:-~/.cache}/cairn/services: the jar cache, kept by `services:clean`. */
  cacheRoot: string;
  /** CAIRN_SERVICES_DIR, or <cacheRoot>/data: data dirs, logs and pid files. */
  dataRoot: string;
}

/** Where one service keeps its jars, data, log, pid file and start lock. */
export interface ServiceLayout {
  name: ServiceName;
  version: string;
  /** <cacheRoot>/<name>-<version>: what Maven fetched. */
  versionDir: string;
  libDir: string;
  /** Written once the jars are all there, so a later start needs no Maven. */
  fetchedMarker: string;
  mavenLog: string;
  dataDir: string;
  logFile: string;
  pidFile: string;
  lockFile: string;
}

export function resolveServicePaths(env: NodeJS.ProcessEnv = process.env): ServicePaths {
  const xdg = env.XDG_CACHE_HOME;
  const cacheHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  const cacheRoot = path.join(cacheHome, 'cairn', 'services');
  const override = env.CAIRN_SERVICES_DIR;
  const dataRoot = override ? path.resolve(override) : path.join(cacheRoot, 'data');
  return { projectServicesDir: findProjectServicesDir(path.dirname(fileURLToPath(import.meta.url))), cacheRoot, dataRoot };
}

/** Walks up from startDir to the folder that holds services/pom.xml (works from src/ and dist/). */
export function findProjectServicesDir(startDir: string): string {
  let dir = startDir;
  for (;;) {
    const candidate = path.join(dir, 'services');
    if (fs.existsSync(path.join(candidate, 'pom.xml'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no services/pom.xml found above ${startDir}`);
    dir = parent;
  }
}

/** The server versions, read from the properties of services/pom.xml (their one source). */
export function readServiceVersions(projectServicesDir: string): Record<ServiceName, string> {
  const pom = fs.readFileSync(path.join(projectServicesDir, 'pom.xml'), 'utf8');
  const property = (name: string): string => {
    const match = new RegExp(`<${name.replace('.', '\\.')}>([^<]+)</${name.replace('.', '\\.')}>`).exec(pom);
    if (!match?.[1]) throw new Error(`services/pom.xml has no <${name}> property`);
    return match[1].trim();
  };
  return { kafka: property('kafka.version'), cassandra: property('cassandra.version') };
}

export function serviceLayout(paths: ServicePaths, name: ServiceName, version: string): ServiceLayout {
  const versionDir = path.join(paths.cacheRoot, `${name}-${version}`);
  return {
    name,
    version,
    versionDir,
    libDir: path.join(versionDir, 'lib'),
    fetchedMarker: path.join(versionDir, '.fetched'),
    mavenLog: path.join(versionDir, 'maven.log'),
    dataDir: path.join(paths.dataRoot, name),
    logFile: path.join(paths.dataRoot, `${name}.log`),
    pidFile: path.join(paths.dataRoot, `${name}.pid`),
    lockFile: path.join(paths.dataRoot, `${name}.lock`),
  };
}
