import { decodeFrame, encodeMessage } from '../../../protocol/codec.js';
import type { CommandOutcome } from '../../../actors/runtime/entity-messages.js';

/** Where and under which id the owner of an entity sends the answer to a request. */
export interface ReplyAddress {
  readonly topic: string;
  readonly id: string;
}

/** A request to an entity, as it travels on the commands topic (key: the entity id). */
export interface CommandEnvelope {
  readonly kind: string;
  readonly entityId: string;
  readonly request: { readonly type: 'command'; readonly command: unknown } | { readonly type: 'view'; readonly view: string };
  /** Absent for a tell: nobody waits for the outcome. */
  readonly reply?: ReplyAddress;
}

/** An error as it crosses the network: the code and retriable flag of a CairnError. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly retriable: boolean;
}

/** The answer to one request (key: the request id). */
export type ReplyEnvelope =
  | { readonly id: string; readonly outcome: CommandOutcome<unknown> }
  | { readonly id: string; readonly view: unknown }
  | { readonly id: string; readonly error: WireError };

/** A message on a bus topic that is not what this version of Cairn writes. */
export class MalformedBusMessage extends Error {
  readonly code = 'malformed-bus-message';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function encodeEnvelope(envelope: CommandEnvelope | ReplyEnvelope | object): Buffer {
  const bytes = encodeMessage(envelope);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function decodeCommandEnvelope(bytes: Buffer | null): CommandEnvelope {
  const value = decode(bytes);
  const request = value.request;
  const validRequest =
    isRecord(request) && ((request.type === 'command' && 'command' in request) || (request.type === 'view' && typeof request.view === 'string'));
  const reply = value.reply;
  const validReply = reply === undefined || (isRecord(reply) && typeof reply.topic === 'string' && typeof reply.id === 'string');
  if (typeof value.kind !== 'string' || typeof value.entityId !== 'string' || !validRequest || !validReply) {
    throw new MalformedBusMessage('not a command envelope');
  }
  return value as unknown as CommandEnvelope;
}

export function decodeReplyEnvelope(bytes: Buffer | null): ReplyEnvelope {
  const value = decode(bytes);
  if (typeof value.id !== 'string' || !('outcome' in value || 'view' in value || 'error' in value)) throw new MalformedBusMessage('not a reply envelope');
  return value as unknown as ReplyEnvelope;
}

/** Any msgpack map (a hunt event on the updates topic; its shape is the journal's). */
export function decode(bytes: Buffer | null): Record<string, unknown> {
  if (!bytes) throw new MalformedBusMessage('empty message');
  let value: unknown;
  try {
    value = decodeFrame(bytes);
  } catch (error) {
    throw new MalformedBusMessage(`undecodable message: ${(error as Error).message}`);
  }
  if (!isRecord(value)) throw new MalformedBusMessage('message is not a map');
  return value;
}
