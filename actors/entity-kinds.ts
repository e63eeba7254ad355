/** The kinds of entity Cairn hosts; each is also the prefix of its journal key (`hunt:<id>`). */
export const EntityKind = {
  hunt: 'hunt',
  player: 'player',
} as const;

export type EntityKind = (typeof EntityKind)[keyof typeof EntityKind];
