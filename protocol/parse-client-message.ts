import type { z } from 'zod';
import type { ClientMessage } from './client-messages.js';
import { ErrorCode } from './codes.js';
import { InvalidUtf8Frame, decodeDespiteUtf8, decodeFrame } from './codec.js';
import { clientMessageSchema, isClientMessageType, FieldLimits } from './schemas.js';
import type { ErrorBody } from './server-messages.js';

export type ParseResult =
  | { readonly ok: true; readonly message: ClientMessage }
  /** `id` is present when the frame carried a valid one, so the error can be its reply. */
  | { readonly ok: false; readonly id?: number; readonly error: ErrorBody };

/** Problems named in one bad-request message, at most: enough to fix a client, bounded in size. */
const MAX_PROBLEMS = 5;

/**
 * Decodes and checks one client frame. Never throws: every failure is a non-retriable error
 * body (sending the same bytes again cannot succeed).
 */
export function parseClientMessage(bytes: Uint8Array): ParseResult {
  let value: unknown;
  try {
    value = decodeFrame(bytes);
  } catch (error) {
    return failure(ErrorCode.malformedFrame, `not one msgpack value: ${reasonOf(error)}`, error instanceof InvalidUtf8Frame ? idDespiteUtf8(bytes) : undefined);
  }
  try {
    if (!isRecord(value)) return failure(ErrorCode.unknownMessage, `a message must be a map, got ${kindOf(value)}`);
    const id = validId(value.id);
    if (!isClientMessageType(value.type)) {
      const what = typeof value.type === 'string' ? `unknown message type ${JSON.stringify(value.type.slice(0, 64))}` : 'a message needs a string type';
      return failure(ErrorCode.unknownMessage, what, id);
    }
    const parsed = clientMessageSchema.safeParse(value);
    if (parsed.success) return { ok: true, message: parsed.data as ClientMessage };
    return failure(ErrorCode.badRequest, describe(parsed.error.issues, value), id);
  } catch (error) {
    // Not expected; a guard so that no frame can ever take the connection down.
    return failure(ErrorCode.badRequest, `the message could not be checked: ${reasonOf(error)}`);
  }
}

function failure(code: ErrorCode, message: string, id?: number): ParseResult {
  const error: ErrorBody = { code, message, retriable: false };
  return id === undefined ? { ok: false, error } : { ok: false, id, error };
}

/** The id of a frame refused for bad UTF-8 alone, so that the client hears which request failed. */
function idDespiteUtf8(bytes: Uint8Array): number | undefined {
  try {
    const value = decodeDespiteUtf8(bytes);
    return isRecord(value) ? validId(value.id) : undefined;
  } catch {
    return undefined;
  }
}

function validId(id: unknown): number | undefined {
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= FieldLimits.maxId ? id : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'undecodable';
}

/** Names values by their msgpack kind, since clients in other languages think in those terms. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return 'binary';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a float';
  return `a ${typeof value}`;
}

/** `guess.latitude: must be at most 90; hints[0].text: is required`. */
function describe(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  // One problem per field: the last, most specific (an id of 2^64 breaks both the safe-integer
  // bound and the 2^32-1 bound; only the latter means anything to a client).
  const byPath = new Map(issues.map((issue) => [issue.code === 'unrecognized_keys' ? issue : pathOf(issue.path), issue]));
  const problems = [...byPath.values()].flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${pathOf([...issue.path, key])}: unknown field`);
    return [`${pathOf(issue.path)}: ${problemOf(issue, valueAt(input, issue.path))}`];
  });
  const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : '';
  return problems.slice(0, MAX_PROBLEMS).join('; ') + more;
}

function problemOf(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      if (issue.expected === 'int') return `must be an integer, got ${typeof value === 'number' && !Number.isFinite(value) ? String(value) : kindOf(value)}`;
      return `must be ${expectedKind(issue.expected)}, got ${typeof value === 'number' && !Number.isFinite(value) ? String(value) : kindOf(value)}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : issue.origin === 'array' ? `must have at most ${issue.maximum} items` : `must be at most ${issue.maximum}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
    case 'invalid_union':
      if (value === undefined) return 'is required';
      return 'options' in issue && Array.isArray(issue.options)
        ? `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`
        : 'matches none of the allowed forms';
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

function expectedKind(expected: string): string {
  const names: Record<string, string> = { object: 'a map', array: 'an array', number: 'a number', string: 'a string', boolean: 'a boolean' };
  return names[expected] ?? expected;
}

function pathOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'message';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key).slice(0, 64)}`))
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
