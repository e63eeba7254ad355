import { describe, expect, it } from 'vitest';
import { CLIENT_MESSAGE_TYPES, roleOf, type ClientMessageType, type Role } from '../../protocol/index.js';
import { isClientMessageType } from '../../protocol/schemas.js';

const ANY: Role[] = ['player', 'designer', 'operator'];
const PLAYER: Role[] = ['player'];
const STAFF: Role[] = ['designer', 'operator'];
const OPERATOR: Role[] = ['operator'];

const expected: Record<ClientMessageType, Role[]> = {
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
};

describe('roleOf', () => {
  it.each(Object.entries(expected))('%s may be sent by %j', (type, roles) => {
    expect([...roleOf(type as ClientMessageType)].sort()).toEqual([...roles].sort());
  });

  it('knows every message type, and only those', () => {
    expect([...CLIENT_MESSAGE_TYPES].sort()).toEqual(Object.keys(expected).sort());
    for (const type of CLIENT_MESSAGE_TYPES) expect(isClientMessageType(type)).toBe(true);
    for (const type of ['pong', 'toString', '__proto__', 'hasOwnProperty', 1, null]) expect(isClientMessageType(type)).toBe(false);
  });
});
