import type { HuntEvent } from '../../actors/hunt/hunt-events.js';
import type { CommandOutcome } from '../../actors/runtime/entity-messages.js';
import { ErrorCode } from '../../protocol/codes.js';
import type { Session } from './session.js';
import { RequestError } from './request-error.js';

/**
 * Sends a hunt command and returns its event, or throws the error reply: the rules' rejection
 * (not retriable: deciding again gives the same answer, unless it says when to retry) or a storage
 * failure (retriable).
 */
export async function runHuntCommand(
  session: Session,
  huntId: string,
  command: object,
  issuedAt: number | undefined,
): Promise<{ event: HuntEvent; duplicate: boolean }> {
  let outcome: CommandOutcome<HuntEvent>;
  try {
    const stamped = { ...command, at: session.ctx.now(), ...(issuedAt !== undefined ? { issuedAt } : {}) };
    outcome = await session.ctx.commands.execute<HuntEvent>('hunt', huntId, stamped);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'invalid-entity-id') {
      throw new RequestError(ErrorCode.badRequest, (error as Error).message, false);
    }
    const timedOut = (error as { code?: unknown }).code === 'timeout' || (error instanceof Error && /timeout/i.test(error.message));
    // An error that says it is final (another node's, say) is not worth retrying.
    const retriable = (error as { retriable?: unknown }).retriable !== false;
    throw new RequestError(
      timedOut ? ErrorCode.timeout : ErrorCode.unavailable,
      timedOut ? 'the hunt did not answer in time: retry with the same commandId' : retriable ? 'the hunt is unavailable: retry with the same commandId' : `the request failed: ${(error as Error).message}`,
      retriable,
    );
  }
  if (outcome.ok) return { event: outcome.event, duplicate: outcome.duplicate };
  if ('rejection' in outcome) {
    // Final, unless the rules say when the same command would be judged (too-fast): then it is
    // retriable like rate-limited, with the wait in retryAfterMs.
    const { code, message, retryAfterMs } = outcome.rejection;
    if (retryAfterMs === undefined) throw new RequestError(code, message, false);
    throw new RequestError(code, message, true, { retryAfterMs: Math.ceil(retryAfterMs) });
  }
  throw new RequestError(ErrorCode.unavailable, `storage failed (${outcome.failure.code}): retry with the same commandId`, outcome.failure.retriable);
}

/**
 * When this socket watches the hunt, waits until the event's update has been pushed to it, so
 * that a command's updates always reach the client before its reply.
 */
export async function afterUpdatePushed(session: Session, huntId: string, update: number): Promise<void> {
  if (session.isSubscribed(huntId)) await session.subscription(huntId)?.waitFor(update);
}
