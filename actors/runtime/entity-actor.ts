import { dispatch, spawnPersistent, type Ref } from 'nact';
import { commandKeyString, type CommandLedger, type LedgerRecord, type NewEvent, type Refusal } from './journal-record.js';
import type { CommandIdentity, EntityBehaviour, EntityEffects } from './entity-behaviour.js';
import { outsideWindow } from './command-window.js';
import { answerFromLedger, lookUpRepeats, repeatWithinBatch, reusedId } from './repeats.js';
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
  /** Where commands' first outcomes are found and refusals kept: the journal. */
  readonly ledger: CommandLedger;
  /** Called when the actor must stop: recovery failed, or an unexpected error. */
  readonly onCrash: (error: unknown) => void;
}

type Persist = (record: NewEvent) => Promise<void>;

/**
 * Spawns the persistent nact actor of one entity. Live commands arrive in batches: the journal's
 * command ledger is asked first which of them it has seen (a repeat gets its first outcome, from
 * the ledger, for as long as the window in command-window.ts), the others are decided against the
 * state the earlier ones left, their events are appended together (one group commit for the whole
 * batch) with their command keys, refusals kept beside them, and only once all are durable are
 * they applied for good and answered. On replay (`ctx.recovering`) stored events are only
 * applied: no decisions, no effects.
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

    const identities = msg.commands.map((command) => behaviour.identify(command));
    let known: ReadonlyMap<string, LedgerRecord>;
    try {
      known = await lookUpRepeats(options.ledger, key, identities);
    } catch (cause) {
      // Nothing was decided, so nothing changed: every command fails, retriably, and the actor
      // keeps its state.
      const failure = describeFailure(cause);
      dispatch(msg.replyTo, { outcomes: msg.commands.map(() => ({ ok: false as const, failure })), wakeAt: undefined });
      return current;
    }

    let next = current;
    const outcomes: CommandOutcome<Event>[] = [];
    const stored: { readonly event: Event; readonly command: number }[] = [];
    // Effects are idempotent (their commands are named after the event), so a repeated command
    // runs its event's effects again: the node that first stored it may have died before they left.
    const repeated: Event[] = [];
    const appends: Promise<void>[] = [];
    const refusals: PendingRefusal[] = [];
    const inBatch = new Map<string, { readonly type: string; readonly outcome: CommandOutcome<Event> }>();
    msg.commands.forEach((command, index) => {
      const identity = identities[index];
      const keyString = identity && commandKeyString(identity);
      const earlier = keyString === undefined ? undefined : inBatch.get(keyString);
      if (identity && earlier) {
        outcomes.push(earlier.type === identity.type ? repeatWithinBatch(earlier.outcome) : { ok: false, rejection: reusedId(identity) });
        return;
      }
      const record = keyString === undefined ? undefined : known.get(keyString);
      const answer = identity && record && answerFromLedger(behaviour, next.state, command, identity, record);
      let outcome: CommandOutcome<Event>;
      if (answer) {
        outcome = answer;
        if (answer.ok) repeated.push(answer.event);
      } else {
        const outside = identity && outsideWindow(identity);
        const decision = outside ? { kind: 'rejected' as const, rejection: outside } : behaviour.decide(next.state, command);
        if (decision.kind === 'rejected') {
          outcome = { ok: false, rejection: decision.rejection };
          // A refusal that time lifts (too-fast), or that says nothing about this command's
          // fate (outside the window), is decided again when repeated; every other one is kept.
          if (identity && !outside && decision.rejection.retryAfterMs === undefined) {
            const { code, message } = decision.rejection;
            const refusal = { issuer: identity.issuer, commandId: identity.commandId, commandType: identity.type, code, message };
            refusals.push({ refusal, index, afterEvent: appends.length > 0 });
          }
        } else {
          // nact numbers each persist call in call order, so the batch lands as consecutive events.
          appends.push(ctx.persist(recordOf(behaviour, decision.event, identity)));
          next = { state: evolve(next.state, decision.event), seqNr: next.seqNr + 1 };
          stored.push({ event: decision.event, command: index });
          outcome = { ok: true, event: decision.event, duplicate: false, seqNr: next.seqNr };
        }
      }
      outcomes.push(outcome);
      if (identity && keyString !== undefined) inBatch.set(keyString, { type: identity.type, outcome });
    });

    // A refusal decided on the stored state alone is kept while the batch's events are written.
    // One decided after an event of this batch waits until that event is durable: were the event
    // lost, the refusal would rest on a state that never was.
    const keep = (list: readonly PendingRefusal[]) => keepRefusals(options.ledger, key, list, outcomes);
    const [results] = await Promise.all([Promise.allSettled(appends), keep(refusals.filter((r) => !r.afterEvent))]);
    const failedAt = results.findIndex((r) => r.status === 'rejected');
    if (failedAt < 0) {
      await keep(refusals.filter((r) => r.afterEvent));
      dispatch(msg.replyTo, { outcomes, wakeAt: wakeAt(next.state) });
      for (const event of [...repeated, ...stored.map((s) => s.event)]) behaviour.afterEvent?.(entityId, event, next.state, options.effects);
      return next;
    }
    // Appends after a failed one fail too (the journal never leaves a gap), so what was stored is
    // the commands before the first failure: their outcomes stand and their effects run. The
    // failed command and every later one may rest on an event that was not stored: they fail,
    // retriably. The in-place state holds events that were not stored; the reset rebuilds it.
    // Refusals waiting for the batch's events were not kept: they fail too.
    const cause = (results[failedAt] as PromiseRejectedResult).reason;
    const failure = describeFailure(cause);
    const cutoff = stored[failedAt]!.command;
    const unkept = new Set(refusals.filter((r) => r.afterEvent).map((r) => r.index));
    dispatch(msg.replyTo, {
      outcomes: outcomes.map((outcome, i) => (i < cutoff && !unkept.has(i) ? outcome : { ok: false as const, failure })),
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

function recordOf<State, Command, Event>(behaviour: EntityBehaviour<State, Command, Event>, event: Event, identity: CommandIdentity | undefined): NewEvent {
  const record = { type: behaviour.eventType(event), updateSeq: behaviour.updateSeqOf(event), payload: event };
  return identity ? { ...record, command: { issuer: identity.issuer, commandId: identity.commandId } } : record;
}

/** A refusal to keep in the ledger, and the place of its command in the batch. */
interface PendingRefusal {
  readonly refusal: Refusal;
  readonly index: number;
  /** Decided after an event of the same batch: kept only once that event is durable. */
  readonly afterEvent: boolean;
}

/**
 * Keeps `refusals` in the ledger. A refusal changes nothing, so refusals that could not be kept
 * fail alone, retriably (their outcomes are replaced): a repeat is decided again.
 */
async function keepRefusals<Event>(ledger: CommandLedger, entityKey: string, refusals: readonly PendingRefusal[], outcomes: CommandOutcome<Event>[]): Promise<void> {
  if (refusals.length === 0) return;
  try {
    await ledger.recordRefusals(entityKey, refusals.map((r) => r.refusal));
  } catch (cause) {
    const failure = describeFailure(cause);
    for (const { index } of refusals) outcomes[index] = { ok: false, failure };
  }
}

function describeFailure(error: unknown): CommandFailure {
  const e = error as { code?: unknown; message?: unknown; retriable?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'storage-failed';
  // A conflict means another writer moved ahead: after recovery the same command may well succeed.
  const retriable = code === 'sequence-conflict' || e?.retriable === true;
  return { code, message: typeof e?.message === 'string' ? e.message : String(error), retriable };
}
