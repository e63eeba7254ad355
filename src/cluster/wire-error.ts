import type { WireError } from '../bus/kafka/bus-envelopes.js';

/** Codes of errors without a `retriable` flag that a later retry may get past. */
const TRANSIENT = new Set(['entity-unavailable', 'timeout']);

/**
 * An error as another node can read it: its code, message and whether a retry may succeed. An
 * error without a code is a bug, not a passing condition (retrying would loop), unless it is a
 * timeout (an actor that did not answer in time).
 */
export function toWireError(error: unknown): WireError {
  const message = error instanceof Error ? error.message : String(error);
  const given = (error as { code?: unknown })?.code;
  const code = typeof given === 'string' ? given : /time(d)? ?out/i.test(message) ? 'timeout' : 'internal';
  const flagged = (error as { retriable?: unknown })?.retriable;
  return { code, message, retriable: typeof flagged === 'boolean' ? flagged : TRANSIENT.has(code) };
}
