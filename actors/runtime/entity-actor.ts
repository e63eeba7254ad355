import { dispatch, spawnPersistent, type Ref } from 'nact';
import type { NewEvent } from './journal-record.js';
import type { EntityBehaviour, EntityEffects } from './entity-behaviour.js';
import type { CommandFailure, CommandOutcome, EntityMessage } from './entity-messages.js';
import { SnapshotPolicy } from './snapshot-policy.js';

/**
 * Thrown out of the actor when an append failed: the actor's state and sequence number may no
 * longer match the journal (another writer, or a write that may or may not have landed), so the
 * supervisor resets it, which replays the journal before the next message is taken.
 */
export class AppendFailed extends Error {
  constructor(
    readonly failure: CommandFailure,
    cause: unknown,
  ) {
    super(failure.message, { cause });
  }
}

/** An entity's state with the sequence number of its last event: also the snapshot format. */
export interface EntityState<State> {
  readonly state: State;
  readonly seqNr: number;
}

export interface EntityActorOptions {
  /**
   * Consider a snapshot every this many stored events (0: never); a large state waits longer,
   * see SnapshotPolicy.
   */
  readonly snapshotEvery: number;
  readonly effects: EntityEffects;
  /** Called when the actor must stop: recovery failed, or an unexpected error. */
  readonly onCrash: (error: unknown) => void;
}

type Persist = (record: NewEvent) => Promise<void>;

/**
 * Spawns the persistent nact actor of one entity. Live commands arrive in batches: each is
 * decided against the state the earlier ones left, their events are appended together (one group
 * commit for the whole batch), and only once all are durable are they applied for good and
 * answered. On replay (`ctx.recovering`) stored events are only applied: no decisions, no effects.
 */
export function spawnEntityActor<State, Command, Event>(
  parent: Ref<unknown>,
  behaviour: EntityBehaviour<State, Command, Event>,
  entityId: string,
  options: EntityActorOptions,
): Ref<EntityMessage<State, Command, Event>> {
  const key = `${behaviour.kind}:${entityId}`;
  const wakeAt = (s: State) => behaviour.nextWakeAt?.(s);
  // The actor owns its state and never lets it out, so it may change it in place.
  const evolve = behaviour.evolveInPlace ?? behaviour.evolve;

  const handle = async (
    current: EntityState<State>,
    message: EntityMessage<State, Command, Event> | Event,
    ctx: { recovering?: boolean; persist: Persist },
  ): Promise<EntityState<State>> => {
    if (ctx.recovering) {
      return { state: evolve(current.state, message as Event), seqNr: current.seqNr + 1 };
    }
    const msg = message as EntityMessage<State, Command, Event>;
    if (msg.kind === 'read') {
      // Projected here and now: the state itself would change under the reader's feet.
      dispatch(msg.replyTo, { view: msg.project(current.state), seqNr: current.seqNr, wakeAt: wakeAt(current.state) });
      return current;
    }

    let next = current;
    const outcomes: CommandOutcome<Event>[] = [];
    const stored: { readonly event: Event; readonly command: number }[] = [];
    // Effects are idempotent (their commands are named after the event), so a repeated command
    // runs its event's effects again: the node that first stored it may have died before they left.
    const repeated: Event[] = [];
    const appends: Promise<void>[] = [];
    msg.commands.forEach((command, index) => {
      const decision = behaviour.decide(next.state, command);
      if (decision.kind === 'rejected') {
        outcomes.push({ ok: false, rejection: decision.rejection });
      } else if (decision.duplicate) {
        outcomes.push({ ok: true, event: decision.event, duplicate: true, seqNr: next.seqNr });
        repeated.push(decision.event);
      } else {
        // nact numbers each persist call in call order, so the batch lands as consecutive events.
        appends.push(ctx.persist(recordOf(behaviour, decision.event)));
        next = { state: evolve(next.state, decision.event), seqNr: next.seqNr + 1 };
        stored.push({ event: decision.event, command: index });
        outcomes.push({ ok: true, event: decision.event, duplicate: false, seqNr: next.seqNr });
      }
    });

    const results = await Promise.allSettled(appends);
    const failedAt = results.findIndex((r) => r.status === 'rejected');
    if (failedAt < 0) {
      dispatch(msg.replyTo, { outcomes, wakeAt: wakeAt(next.state) });
      for (const event of [...repeated, ...stored.map((s) => s.event)]) behaviour.afterEvent?.(entityId, event, next.state, options.effects);
      return next;
    }
    // Appends after a failed one fail too (the journal never leaves a gap), so what was stored is
    // the commands before the first failure: their outcomes stand and their effects run. The
    // failed command and every later one may rest on an event that was not stored: they fail,
    // retriably. The in-place state holds events that were not stored; the reset rebuilds it.
    const cause = (results[failedAt] as PromiseRejectedResult).reason;
    const failure = describeFailure(cause);
    const cutoff = stored[failedAt]!.command;
    dispatch(msg.replyTo, {
      outcomes: outcomes.map((outcome, i) => (i < cutoff ? outcome : { ok: false as const, failure })),
      wakeAt: undefined,
    });
    for (const { event } of stored.slice(0, failedAt)) behaviour.afterEvent?.(entityId, event, next.state, options.effects);
    throw new AppendFailed(failure, cause);
  };

  const snapshots = new SnapshotPolicy();
  // nact actor names allow fewer characters than entity ids; the journal key is what identifies it.
  return spawnPersistent(parent, handle as never, key, undefined, {
    initialStateFunc: () => ({ state: structuredClone(behaviour.initialState), seqNr: 0 }),
    ...(options.snapshotEvery > 0 ? { snapshotEvery: options.snapshotEvery } : {}),
    // JSON text or nothing (see SnapshotPolicy); loaded snapshots come back from the journal decoded.
    snapshotEncoder: (entity: EntityState<State>) => snapshots.encode(entity),
    decoder: (data: unknown) => (data as NewEvent).payload,
    onCrash: (_msg: unknown, error: unknown, ctx: { reset: symbol; stop: symbol }) => {
      if (error instanceof AppendFailed) return ctx.reset;
      options.onCrash(error);
      return ctx.stop;
    },
  } as never) as Ref<EntityMessage<State, Command, Event>>;
}

function recordOf<State, Command, Event>(behaviour: EntityBehaviour<State, Command, Event>, event: Event): NewEvent {
  return { type: behaviour.eventType(event), updateSeq: behaviour.updateSeqOf(event), payload: event };
}

function describeFailure(error: unknown): CommandFailure {
  const e = error as { code?: unknown; message?: unknown; retriable?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'storage-failed';
  // A conflict means another writer moved ahead: after recovery the same command may well succeed.
  const retriable = code === 'sequence-conflict' || e?.retriable === true;
  return { code, message: typeof e?.message === 'string' ? e.message : String(error), retriable };
}
