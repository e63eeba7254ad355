import { changesForPlayer, huntChanges } from '../../actors/hunt/hunt-changes.js';
import type { HuntEvent } from '../../actors/hunt/hunt-events.js';
import type { HuntState } from '../../actors/hunt/hunt-state.js';
import { playerView } from '../../actors/hunt/player-view.js';
import { ErrorCode } from '../../protocol/codes.js';
import type { PlayerMessage } from '../../protocol/client-messages.js';
import type { Results, UpdateMessage } from '../../protocol/server-messages.js';
import { RequestError } from './request-error.js';
import type { Session } from './session.js';
import type { HuntReplica } from './hunt-replica.js';

const PAGE = 200;

/**
 * Subscribes a returning player to a hunt and sends exactly the updates after `after` that
 * concern them, read from the journal, then live updates. The replayed frames and the
 * subscription are made in one synchronous step once the journal read has caught up with the
 * replica, so no live update can overtake a replayed one. Too far behind: a full view instead.
 */
export async function resume(
  session: Session,
  msg: Extract<PlayerMessage, { type: 'resume' }>,
): Promise<Results['resume']> {
  const { subject } = session.identity;
  const replica = await session.ctx.replicas.acquire(msg.hunt);
  let handedOver = false;
  try {
    checkMember(replica.current, subject);
    // The player may have seen updates on another gateway that this replica has not had yet
    // (its bus is a little behind): catch up from the journal before deciding, or the resync
    // would take them back to an older view.
    if (msg.after > replica.updateSeq) await replica.refresh();
    const behind = replica.updateSeq - msg.after;
    if (msg.after > replica.updateSeq || behind > session.ctx.limits.maxResumeUpdates) {
      session.subscribe(msg.hunt, replica, 'player');
      handedOver = true;
      return { resync: true, replayed: 0, updateSeq: replica.updateSeq, view: playerView(replica.current, subject)! };
    }
    const missed = await readMissed(session, replica, msg.after);
    const frames = missed.flatMap((event) => frameFor(msg.hunt, event, replica.current, subject));
    for (const frame of frames) session.send(frame);
    session.subscribe(msg.hunt, replica, 'player');
    handedOver = true;
    return { resync: false, replayed: frames.length, updateSeq: replica.updateSeq };
  } finally {
    if (!handedOver) session.ctx.replicas.release(msg.hunt);
  }
}

function checkMember(state: HuntState, playerId: string): void {
  if (!state.definition) throw new RequestError('hunt-not-found', 'there is no such hunt');
  if (state.banned[playerId] !== undefined) throw new RequestError('player-banned', 'you were removed from this hunt');
  if (!state.players[playerId]?.active) throw new RequestError('not-joined', 'you are not in this hunt: join it first');
}

/** The events after `after` up to the replica's latest, re-reading while new ones keep arriving. */
async function readMissed(session: Session, replica: HuntReplica, after: number): Promise<HuntEvent[]> {
  const key = `hunt:${replica.huntId}`;
  const events: HuntEvent[] = [];
  let readTo = after;
  while (readTo < replica.updateSeq) {
    const page = await session.ctx.journal.readUpdates(key, readTo, PAGE);
    if (page.length === 0) {
      throw new RequestError(ErrorCode.unavailable, 'the journal is behind this gateway: retry the resume', true);
    }
    for (const stored of page) {
      const event = stored.payload as HuntEvent;
      if (event.update > replica.updateSeq) break;
      events.push(event);
      readTo = event.update;
    }
  }
  return events;
}

function frameFor(huntId: string, event: HuntEvent, state: HuntState, playerId: string): UpdateMessage[] {
  const changes = changesForPlayer(huntChanges(state, event), state, playerId);
  return changes.length > 0 ? [{ type: 'update', hunt: huntId, update: event.update, changes: [...changes] }] : [];
}
