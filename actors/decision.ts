/**
 * What a decider answers to a command. A command yields at most one event, so what a command
 * changes is always stored atomically; `duplicate` marks a repeated command id, answered with the
 * event it produced the first time and nothing new to store.
 */
export interface Rejection<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
  /**
   * Only for a refusal that time alone lifts (a guess too soon after the last, or a place too far
   * to have travelled to yet): milliseconds until the same command would be judged. Such a
   * rejection is worth retrying; every other is final.
   */
  readonly retryAfterMs?: number;
}

export type Decision<Event, Code extends string = string> =
  | { readonly kind: 'accepted'; readonly event: Event; readonly duplicate: boolean }
  | { readonly kind: 'rejected'; readonly rejection: Rejection<Code> };

export const accept = <Event>(event: Event): Decision<Event, never> => ({ kind: 'accepted', event, duplicate: false });

export const replay = <Event>(event: Event): Decision<Event, never> => ({ kind: 'accepted', event, duplicate: true });

export const reject = <Code extends string>(code: Code, message: string): Decision<never, Code> => ({
  kind: 'rejected',
  rejection: { code, message },
});
