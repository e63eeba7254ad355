import type { CommandKey, NewEvent, Refusal, SnapshotToSave } from './journal.js';

/**
 * Argument checks every Journal adapter makes the same way: a caller's mistake is a TypeError
 * thrown before anything is written, never a storage error.
 */

/** An event ready to store: its payload already JSON text, so a bad payload fails alone, early. */
export interface EncodedEvent {
  readonly type: string;
  readonly updateSeq: number | null;
  readonly payload: string;
  readonly command?: CommandKey;
}

/** Checks one event of an append, which will get sequence number `seqNr`, and encodes its payload. */
export function encodeEvent(event: NewEvent, index: number, seqNr: number): EncodedEvent {
  if (typeof event?.type !== 'string' || event.type === '') {
    throw new TypeError(`events[${index}].type must be a non-empty string`);
  }
  if (event.updateSeq !== null && (!Number.isSafeInteger(event.updateSeq) || event.updateSeq < 0)) {
    throw new TypeError(`events[${index}].updateSeq must be null or a non-negative integer, got ${String(event.updateSeq)}`);
  }
  if (event.updateSeq !== null && event.updateSeq > seqNr) {
    throw new TypeError(`events[${index}].updateSeq ${event.updateSeq} is above its sequence number ${seqNr}: an entity cannot have more updates than events`);
  }
  const payload = encodeJson(event.payload, `events[${index}].payload`);
  if (event.command === undefined) return { type: event.type, updateSeq: event.updateSeq, payload };
  requireCommandKey(event.command, `events[${index}].command`);
  return { type: event.type, updateSeq: event.updateSeq, payload, command: { issuer: event.command.issuer, commandId: event.command.commandId } };
}

/** Longest issuer or command id a key may have: both end up in primary keys. */
const MAX_KEY_PART = 256;

export function requireCommandKey(key: CommandKey, what: string): void {
  for (const part of ['issuer', 'commandId'] as const) {
    const value: unknown = key?.[part];
    if (typeof value !== 'string' || value === '' || value.length > MAX_KEY_PART) {
      throw new TypeError(`${what}.${part} must be a string of 1..${MAX_KEY_PART} characters`);
    }
  }
}

/** Checks the keys of a findCommands call. */
export function requireCommandKeys(keys: readonly CommandKey[]): void {
  if (!Array.isArray(keys)) throw new TypeError('keys must be an array');
  keys.forEach((key, index) => requireCommandKey(key, `keys[${index}]`));
}

/** Checks the refusals of a recordRefusals call. */
export function requireRefusals(refusals: readonly Refusal[]): void {
  if (!Array.isArray(refusals)) throw new TypeError('refusals must be an array');
  refusals.forEach((refusal, index) => {
    requireCommandKey(refusal, `refusals[${index}]`);
    for (const field of ['commandType', 'code', 'message'] as const) {
      if (typeof refusal[field] !== 'string') throw new TypeError(`refusals[${index}].${field} must be a string`);
    }
  });
}

export function encodeJson(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    // JSON.stringify's declared type hides that it returns undefined for undefined and functions.
    json = JSON.stringify(value) as string | undefined;
  } catch (cause) {
    throw new TypeError(`${what} is not JSON-serialisable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (json === undefined) throw new TypeError(`${what} is not JSON-serialisable`);
  return json;
}

/** Checks a snapshot to save and gives its state as JSON text. */
export function encodeSnapshot(snapshot: SnapshotToSave): string {
  requireEntityId(snapshot.entityId);
  requireSeqNr(snapshot.seqNr, 'snapshot.seqNr');
  if (!Number.isFinite(snapshot.takenAt)) {
    throw new TypeError(`snapshot.takenAt must be a finite number, got ${String(snapshot.takenAt)}`);
  }
  if (!('stateJson' in snapshot)) return encodeJson(snapshot.state, 'snapshot.state');
  if (typeof snapshot.stateJson !== 'string' || snapshot.stateJson === '') throw new TypeError('snapshot.stateJson must be JSON text');
  return snapshot.stateJson;
}

export function requireEntityId(entityId: string): void {
  if (typeof entityId !== 'string' || entityId === '') {
    throw new TypeError('entityId must be a non-empty string');
  }
}

export function requireSeqNr(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
}

export function requireLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new TypeError(`limit must be a positive integer, got ${String(limit)}`);
  }
}
