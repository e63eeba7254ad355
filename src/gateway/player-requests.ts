import { playerView, type PlayerView } from '../../actors/hunt/player-view.js';
import type { HuntEvent } from '../../actors/hunt/hunt-events.js';
import { EntityKind } from '../../actors/entity-kinds.js';
import { ErrorCode } from '../../protocol/codes.js';
import type { PlayerMessage } from '../../protocol/client-messages.js';
import type { Results } from '../../protocol/server-messages.js';
import { afterUpdatePushed, runHuntCommand } from './outcome.js';
import { RequestError } from './request-error.js';
import type { Session } from './session.js';
import { resume } from './resume.js';

type Of<T extends PlayerMessage['type']> = Extract<PlayerMessage, { type: T }>;

export async function join(session: Session, msg: Of<'join'>): Promise<Results['join']> {
  const { subject, name } = session.identity;
  const recorded = await recordMembershipFirst(session, msg);
  let joined;
  try {
    joined = await runHuntCommand(session, msg.hunt, {
      type: 'join',
      commandId: msg.commandId,
      playerId: subject,
      displayName: msg.displayName ?? name ?? subject,
      ...(msg.team !== undefined ? { team: msg.team } : {}),
    }, msg.issuedAt);
  } catch (error) {
    // Refused for good: take back the membership this join recorded (a lost undo only leaves a
    // hunt in the welcome whose resume says not-joined). Retriable failures keep it for the retry.
    if (recorded && error instanceof RequestError && !error.retriable) {
      const undo = { type: 'clear-membership', commandId: `${msg.commandId}:undo`, at: session.ctx.now(), huntId: msg.hunt, reason: 'left' };
      void session.ctx.commands.execute(EntityKind.player, subject, undo).catch(() => undefined);
    }
    throw error;
  }
  const replica = await session.ctx.replicas.acquire(msg.hunt);
  try {
    await replica.waitFor(joined.event.update);
    // A repeated join is answered with its first outcome; the player may have left or been removed since.
    const player = replica.current.players[subject];
    if (replica.current.banned[subject] !== undefined) throw new RequestError('player-banned', 'you were removed from this hunt');
    if (!player?.active) throw new RequestError('not-joined', 'you left this hunt: join it again with a new commandId');
  } catch (error) {
    session.ctx.replicas.release(msg.hunt);
    throw error;
  }
  session.subscribe(msg.hunt, replica, 'player');
  return { view: viewOf(replica.current, subject) };
}

/**
 * Records the hunt in the player's own record before the join is decided, so that a crash right
 * after the join is stored cannot leave the player without the hunt in their welcome. True when
 * this call added it (and so may take it back).
 */
async function recordMembershipFirst(session: Session, msg: Of<'join'>): Promise<boolean> {
  const intent = { type: 'record-membership', commandId: `${msg.commandId}:intent`, at: session.ctx.now(), huntId: msg.hunt };
  let outcome;
  try {
    outcome = await session.ctx.commands.execute(EntityKind.player, session.identity.subject, intent);
  } catch {
    throw new RequestError(ErrorCode.unavailable, 'your player record is unavailable: retry with the same commandId', true);
  }
  if (outcome.ok) return true;
  if ('failure' in outcome) throw new RequestError(ErrorCode.unavailable, 'your player record could not be stored: retry with the same commandId', true);
  return false;
}

export async function submit(session: Session, msg: Of<'submit'>): Promise<Results['submit']> {
  const { subject } = session.identity;
  const waitMs = session.ctx.guesses.take(subject);
  if (waitMs > 0) {
    throw new RequestError(ErrorCode.rateLimited, `too many guesses: wait ${waitMs} ms`, true, { retryAfterMs: waitMs });
  }
  const { event, duplicate } = await runHuntCommand(session, msg.hunt, {
    type: 'submit',
    commandId: msg.commandId,
    playerId: subject,
    clueId: msg.clue,
    guess: msg.guess,
  }, msg.issuedAt);
  await afterUpdatePushed(session, msg.hunt, event.update);
  if (event.type === 'clue-solved') {
    return { correct: true, points: event.points, bonus: event.bonus, attemptsLeft: null, duplicate, update: event.update };
  }
  if (event.type === 'guess-incorrect') {
    return { correct: false, points: -event.penalty, bonus: 0, attemptsLeft: event.attemptsLeft, duplicate, update: event.update };
  }
  throw unexpected(event);
}

export async function hint(session: Session, msg: Of<'hint'>): Promise<Results['hint']> {
  const { event, duplicate } = await runHuntCommand(session, msg.hunt, {
    type: 'request-hint',
    commandId: msg.commandId,
    playerId: session.identity.subject,
    clueId: msg.clue,
    hintIndex: msg.hint,
  }, msg.issuedAt);
  if (event.type !== 'hint-taken') throw unexpected(event);
  // The hint's text as it is now (a designer may have edited it), read from the replica.
  const replica = await session.ctx.replicas.acquire(msg.hunt);
  try {
    await replica.waitFor(event.update);
    const text = replica.current.clues.find((c) => c.id === event.clueId)?.hints[event.hintIndex]?.text ?? '';
    return { clue: event.clueId, hint: event.hintIndex, text, penalty: event.penalty, duplicate, update: event.update };
  } finally {
    session.ctx.replicas.release(msg.hunt);
  }
}

export async function leave(session: Session, msg: Of<'leave'>): Promise<Results['leave']> {
  const { event, duplicate } = await runHuntCommand(session, msg.hunt, {
    type: 'leave',
    commandId: msg.commandId,
    playerId: session.identity.subject,
  }, msg.issuedAt);
  await afterUpdatePushed(session, msg.hunt, event.update);
  session.unsubscribe(msg.hunt);
  return { duplicate, update: event.update };
}

export { resume };

function viewOf(state: Parameters<typeof playerView>[0], playerId: string): PlayerView {
  const view = playerView(state, playerId);
  if (!view) throw new RequestError('not-joined', 'you are not in this hunt');
  return view;
}

function unexpected(event: HuntEvent): RequestError {
  return new RequestError(ErrorCode.internal, `unexpected ${event.type} for this request`, false);
}
