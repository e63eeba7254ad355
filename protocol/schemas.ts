import { z } from 'zod';
import type { ClientMessage, ClientMessageType } from './client-messages.js';
import type { Role } from './server-messages.js';

/**
 * Schemas of every client message. Objects are strict: a field the protocol does not define is
 * an error, so a client's typo fails loudly instead of being ignored. String lengths count
 * UTF-16 code units (a character outside the Basic Multilingual Plane, e.g. an emoji, counts 2).
 */

export const FieldLimits = {
  maxId: 2 ** 32 - 1,
  /** Highest shard number (a cluster has at most 1024 partitions). */
  maxShard: 1023,
  textName: 40,
  guess: 500,
  message: 500,
  reason: 200,
  title: 120,
  clueText: 4000,
  hints: 10,
  hintText: 1000,
  penalty: 100_000,
  hintIndex: 99,
  /** `definition`, in UTF-8 bytes. */
  definitionBytes: 256 * 1024,
} as const;

export const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
export const COMMAND_ID = /^[A-Za-z0-9._:-]{1,64}$/;
export const CLUE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const int = (min: number, max: number) => z.int().min(min).max(max);
// zod counts code points; the hunt rules count UTF-16 units (JS `length`): count as they do, so
// that a text the protocol lets through is never refused later for its length.
const text = (max: number) => z.string().min(1).refine((s) => s.length <= max, `must be at most ${max} characters`);
const entityId = z.string().regex(ENTITY_ID);
/** A node's name in a cluster (CAIRN_NODE_ID). */
const nodeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const clueId = z.string().regex(CLUE_ID);

const request = { id: int(0, FieldLimits.maxId) };
const huntCommand = { ...request, hunt: entityId, commandId: z.string().regex(COMMAND_ID), issuedAt: int(0, Number.MAX_SAFE_INTEGER).optional() };

const guessSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('answer'), text: text(FieldLimits.guess) }),
  z.strictObject({ kind: z.literal('location'), latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }),
  z.strictObject({ kind: z.literal('code'), code: text(FieldLimits.guess) }),
]);

const hintInputSchema = z.strictObject({
  text: text(FieldLimits.hintText),
  penalty: int(0, FieldLimits.penalty),
  autoReleaseAfterSeconds: z.int().min(1).optional(),
});

const lifecycle = (type: 'admin.start' | 'admin.pause' | 'admin.resume' | 'admin.end') =>
  z.strictObject({ type: z.literal(type), ...huntCommand });

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ping'), ...request }),
  z.strictObject({ type: z.literal('join'), ...huntCommand, team: text(FieldLimits.textName).optional(), displayName: text(FieldLimits.textName).optional() }),
  z.strictObject({ type: z.literal('submit'), ...huntCommand, clue: clueId, guess: guessSchema }),
  z.strictObject({ type: z.literal('hint'), ...huntCommand, clue: clueId, hint: int(0, FieldLimits.hintIndex) }),
  z.strictObject({ type: z.literal('leave'), ...huntCommand }),
  z.strictObject({ type: z.literal('resume'), ...request, hunt: entityId, after: z.int().min(0) }),
  z.strictObject({
    type: z.literal('admin.spawn'),
    ...huntCommand,
    definition: z.string().refine((s) => utf8Length(s) <= FieldLimits.definitionBytes, `must be at most ${FieldLimits.definitionBytes} bytes of UTF-8`),
  }),
  lifecycle('admin.start'),
  lifecycle('admin.pause'),
  lifecycle('admin.resume'),
  lifecycle('admin.end'),
  z.strictObject({
    type: z.literal('admin.edit-clue'),
    ...huntCommand,
    clue: clueId,
    title: text(FieldLimits.title).optional(),
    text: text(FieldLimits.clueText).optional(),
    hints: z.array(hintInputSchema).max(FieldLimits.hints).readonly().optional(),
  }),
  z.strictObject({ type: z.literal('admin.release-hint'), ...huntCommand, clue: clueId, hint: int(0, FieldLimits.hintIndex) }),
  z.strictObject({ type: z.literal('admin.announce'), ...huntCommand, message: text(FieldLimits.message) }),
  z.strictObject({ type: z.literal('admin.kick'), ...huntCommand, player: entityId, reason: text(FieldLimits.reason) }),
  z.strictObject({ type: z.literal('admin.status'), ...request, hunt: entityId }),
  z.strictObject({ type: z.literal('admin.watch'), ...request, hunt: entityId }),
  z.strictObject({ type: z.literal('shards.map'), ...request }),
  z.strictObject({ type: z.literal('shards.pin'), ...request, shard: int(0, FieldLimits.maxShard), node: nodeId }),
  z.strictObject({ type: z.literal('shards.unpin'), ...request, shard: int(0, FieldLimits.maxShard) }),
  z.strictObject({ type: z.literal('shards.drain'), ...request, node: nodeId }),
  z.strictObject({ type: z.literal('shards.undrain'), ...request, node: nodeId }),
]);

// The schemas and the hand-written types must describe the same messages.
type Parsed = z.infer<typeof clientMessageSchema>;
const _schemaFitsType = (m: Parsed): ClientMessage => m;
const _typeFitsSchema = (m: ClientMessage): Parsed => m;

const ANY: readonly Role[] = ['player', 'designer', 'operator'];
const PLAYER: readonly Role[] = ['player'];
const STAFF: readonly Role[] = ['designer', 'operator'];
const OPERATOR: readonly Role[] = ['operator'];

const ROLES = {
  ping: ANY,
  join: PLAYER,
  submit: PLAYER,
  hint: PLAYER,
  leave: PLAYER,
  resume: PLAYER,
  'admin.spawn': STAFF,
  'admin.start': STAFF,
  'admin.pause': STAFF,
  'admin.resume': STAFF,
  'admin.end': STAFF,
  'admin.edit-clue': STAFF,
  'admin.release-hint': STAFF,
  'admin.announce': STAFF,
  'admin.kick': STAFF,
  'admin.status': STAFF,
  'admin.watch': STAFF,
  'shards.map': OPERATOR,
  'shards.pin': OPERATOR,
  'shards.unpin': OPERATOR,
  'shards.drain': OPERATOR,
  'shards.undrain': OPERATOR,
} as const satisfies Record<ClientMessageType, readonly Role[]>;

/** Every client message type. */
export const CLIENT_MESSAGE_TYPES = Object.freeze(Object.keys(ROLES) as ClientMessageType[]);

export function isClientMessageType(type: unknown): type is ClientMessageType {
  return typeof type === 'string' && Object.hasOwn(ROLES, type);
}

/** The roles that may send messages of this type. */
export function roleOf(type: ClientMessageType): readonly Role[] {
  return ROLES[type];
}

/** UTF-8 length without allocating an encoded copy of up to 256 KiB. */
function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
