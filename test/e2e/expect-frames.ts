import type { ReplyMessage, UpdateMessage } from '../../protocol/server-messages.js';
import type { ClueView, HuntChange } from '../../protocol/views.js';
import type { RecordedFrame } from './sdk-client.js';

/** Helpers to read recorded frames. */

export type ChangeOf<K extends HuntChange['kind']> = Extract<HuntChange, { kind: K }>;

export const changesOf = <K extends HuntChange['kind']>(update: UpdateMessage | undefined, kind: K): ChangeOf<K>[] =>
  (update?.changes ?? []).filter((c): c is ChangeOf<K> => c.kind === kind);

export const kindsOf = (update: UpdateMessage | undefined): string[] => (update?.changes ?? []).map((c) => c.kind).sort();

export const clueChange = (update: UpdateMessage | undefined, clueId: string): ClueView | undefined =>
  changesOf(update, 'clue').find((c) => c.clue.id === clueId)?.clue;

/** Update frames of `hunt` among recorded frames, in arrival order. */
export const updateFrames = (frames: readonly RecordedFrame[], hunt: string): UpdateMessage[] =>
  frames.flatMap((f) => (f.message.type === 'update' && f.message.hunt === hunt ? [f.message] : []));

/** Index among `frames` of the update frame `update` of `hunt`, or -1. */
export const indexOfUpdate = (frames: readonly RecordedFrame[], hunt: string, update: number): number =>
  frames.findIndex((f) => f.message.type === 'update' && f.message.hunt === hunt && f.message.update === update);

/** Index among `frames` of the successful reply whose result has `update` = `update`, or -1. */
export const indexOfReplyWithUpdate = (frames: readonly RecordedFrame[], update: number): number =>
  frames.findIndex((f) => {
    const m = f.message as ReplyMessage;
    return m.type === 'reply' && m.ok && (m.result as { update?: number }).update === update;
  });

/** Strictly increasing? */
export const increasing = (numbers: readonly number[]): boolean => numbers.every((n, i) => i === 0 || n > numbers[i - 1]!);
