/** What a node's readiness depends on, read fresh for every /readyz. */
export interface ReadinessInputs {
  /** The HTTP server accepts connections. */
  readonly listening: boolean;
  /** A graceful stop has begun. */
  readonly stopping: boolean;
  /** The operator plan drained this node (cluster only). */
  readonly drained: boolean;
  /** Something this node cannot recover from by itself (a cluster node's shard consumer stopped). */
  readonly fatal: boolean;
  /** Why the journal cannot serve (circuit open, probe failing), or undefined when it can. */
  readonly journalProblem: string | undefined;
  /** Why the message bus cannot carry commands and replies (cluster only), or undefined when it can. */
  readonly busProblem?: string | undefined;
}

export interface Readiness {
  readonly ready: boolean;
  /** Every reason it is not ready, in words for an operator; empty when ready. */
  readonly reasons: readonly string[];
}

/**
 * Ready = this node would serve a player's command now. A node whose journal is failing is not:
 * every command would be refused, and a load balancer should send players to a node that can
 * store their moves (or, with none, show them the outage instead of a stream of errors). Nor is a
 * cluster node that cannot hear from Kafka: its commands would all time out.
 */
export function readinessOf(inputs: ReadinessInputs): Readiness {
  const reasons: string[] = [];
  if (!inputs.listening) reasons.push('starting');
  if (inputs.stopping) reasons.push('stopping');
  if (inputs.drained) reasons.push('drained by the operator plan');
  if (inputs.fatal) reasons.push('the shard consumer stopped for good');
  if (inputs.journalProblem !== undefined) reasons.push(inputs.journalProblem);
  if (inputs.busProblem !== undefined) reasons.push(inputs.busProblem);
  return { ready: reasons.length === 0, reasons };
}
