import type { Ref } from 'nact';
import type { Rejection } from '../decision.js';

/** Why a command was neither applied nor refused by the rules: storage trouble. Safe to retry when `retriable`. */
export interface CommandFailure {
  readonly code: string;
  readonly message: string;
  readonly retriable: boolean;
}

export type CommandOutcome<Event> =
  | { readonly ok: true; readonly event: Event; readonly duplicate: boolean; readonly seqNr: number }
  | { readonly ok: false; readonly rejection: Rejection }
  | { readonly ok: false; readonly failure: CommandFailure };

export interface ReadReply<View> {
  /** What the reader's projection made of the state when the read was handled. */
  readonly view: View;
  readonly seqNr: number;
  readonly wakeAt: number | undefined;
}

export interface BatchReply<Event> {
  /** One outcome per command, in the order they were sent. */
  readonly outcomes: readonly CommandOutcome<Event>[];
  /** When the entity next wants a tick (ms since epoch), as of this reply. */
  readonly wakeAt: number | undefined;
}

export type EntityMessage<State, Command, Event> =
  | { readonly kind: 'commands'; readonly commands: readonly Command[]; readonly replyTo: Ref<BatchReply<Event>> }
  | {
      readonly kind: 'read';
      /** Runs inside the actor, between commands: must not keep or change the state it is given. */
      readonly project: (state: State) => unknown;
      readonly replyTo: Ref<ReadReply<unknown>>;
    };
