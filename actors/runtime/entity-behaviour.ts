import type { Decision } from '../decision.js';
import type { CommandKey } from './journal-record.js';

/** What the runtime needs to know of a command to recognise its repeats. */
export interface CommandIdentity extends CommandKey {
  /** The command's type, stored with a refusal: a repeat naming another command is told apart. */
  readonly type: string;
  /** When the command reached the server (ms since epoch). */
  readonly at: number;
  /** When the client first issued it, by the server's clock as the client knows it; absent when not sent. */
  readonly issuedAt?: number;
}

/** What the runtime can do for an entity after one of its events is stored (live only, never on replay). */
export interface EntityEffects {
  /** Sends a command to another entity without waiting for its outcome. */
  tell(kind: string, entityId: string, command: unknown): void;
}

/**
 * One kind of entity, as the runtime needs it: its pure rules plus how its events are described
 * to the journal. The runtime persists, replays and snapshots; the behaviour never does I/O.
 */
export interface EntityBehaviour<State, Command, Event> {
  readonly kind: string;
  readonly initialState: State;
  /**
   * Decides a command the entity has not seen before (the runtime answers repeats from the
   * journal's command ledger, see repeat-ledger.ts): never returns a duplicate.
   */
  decide(state: State, command: Command): Decision<Event>;
  /**
   * Who issued `command` and its id: commands with one are applied once, however often they are
   * sent. Undefined for commands the runtime makes itself (ticks), which are never repeated.
   */
  identify(command: Command): CommandIdentity | undefined;
  /** The command an event answers (as `identify` named it), undefined for events of ticks. */
  commandOf(event: Event): CommandKey | undefined;
  /**
   * How a repeat of a command is answered now that its first outcome was `event` (default: the
   * event again, marked duplicate). An entity may refuse instead, e.g. when the id now names
   * another kind of command, or a later event outranks the first outcome.
   */
  repeat?(state: State, command: Command, event: Event): Decision<Event>;
  /** Pure: a new state, the old one untouched. */
  evolve(state: State, event: Event): State;
  /**
   * The same change made to `state` itself, for the runtime, which owns its state and never lets
   * it out (queries get projections). Absent: the runtime uses `evolve`.
   */
  evolveInPlace?(state: State, event: Event): State;
  /** The event's type name, stored beside it. */
  eventType(event: Event): string;
  /** The update number players resume from; null for events nobody subscribes to. */
  updateSeqOf(event: Event): number | null;
  /** Wall time (ms) the entity wants a `tick` command, or undefined when nothing is pending. */
  nextWakeAt?(state: State): number | undefined;
  /** Builds the command that lets time pass, for entities that have timers. */
  tickCommand?(at: number): Command;
  /**
   * Named projections of the state that other nodes may ask for by name (a function cannot cross
   * the network). Each must return plain data that shares nothing with the state.
   */
  readonly views?: Readonly<Record<string, (state: State) => unknown>>;
  /** Side effects of a stored event: run once, live, after it is durable; skipped on replay. */
  afterEvent?(entityId: string, event: Event, state: State, effects: EntityEffects): void;
}

// A registry of behaviours cannot name each entity's own types, so it holds them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEntityBehaviour = EntityBehaviour<any, any, any>;
