import type { WireError } from '../bus/kafka/bus-envelopes.js';

/** Codes of errors that retrying the same request cannot fix. */
const FINAL = new Set(['invalid-entity-id', 'partition-count-mismatch']);

/** An error as another node can read it: its code, message and whether a retry may succeed. */
export function toWireError(error: unknown): WireError {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  const flagged = (error as { retriable?: unknown })?.retriable;
  return { code, message, retriable: typeof flagged === 'boolean' ? flagged : !FINAL.has(code) };
}
