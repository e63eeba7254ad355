import type { CommandBus } from '../bus/command-bus.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { HuntReplicas } from './hunt-replicas.js';
import type { OverloadGuard } from './overload-guard.js';
import type { ShardControl } from './shard-control.js';
import type { TokenBuckets } from './token-bucket.js';

/** What every connection of a gateway shares. */
export interface GatewayContext {
  readonly commands: CommandBus;
  /** The operators' view of and control over the shards. */
  readonly shards: ShardControl;
  readonly replicas: HuntReplicas;
  /** Read-only use: missed updates for a resume. */
  readonly journal: Journal;
  readonly guesses: TokenBuckets;
  /** Counts the requests in flight and refuses new commands and connections while the process is saturated. */
  readonly overload: OverloadGuard;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly limits: {
    readonly maxSendBufferBytes: number;
    readonly maxResumeUpdates: number;
    readonly heartbeatMs: number;
  };
  readonly now: () => number;
}
