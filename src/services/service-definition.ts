import type { ServiceLayout, ServiceName } from './service-paths.js';

export type Log = (line: string) => void;

export interface ServiceContext {
  javaBin: string;
  layout: ServiceLayout;
  /** The project's services/ folder with the config templates. */
  projectServicesDir: string;
  log: Log;
}

/** What the runner needs to know to start, recognise, probe and stop one server. */
export interface ServiceDefinition {
  name: ServiceName;
  host: string;
  /** The client port: "port answering" means this one accepts connections. */
  port: number;
  /** Addresses a client connects to, as host:port. */
  addresses: string[];
  /** Java main class: with the data dir, marks the process in /proc/<pid>/cmdline. */
  mainClass: string;
  readyTimeoutMs: number;
  /** How long SIGTERM may take before SIGKILL. */
  stopGraceMs: number;
  /** Writes the configuration into the data dir and initialises storage; run before each start. */
  prepare(context: ServiceContext): Promise<void>;
  /** Arguments after `java`. */
  javaArgs(context: ServiceContext): string[];
  /** True when a real client gets an answer (not merely an open port). */
  probe(): Promise<boolean>;
}
