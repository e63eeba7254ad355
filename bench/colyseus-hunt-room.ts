/**
 * The Colyseus column of the player benchmark: a room that plays the benchmark hunt as Cairn's
 * hunt rules do (linear clues, points, wrong-answer penalty, speed bonus, attempts per clue, hints
 * with a penalty), keeps the top 10 in its schema state so that Colyseus patches carry it to every
 * player (50 ms patch rate, Colyseus's default), and answers each command to its sender with a
 * `result` message. Nothing is persisted: it is the in-memory game loop Cairn is compared with.
 *
 * Messages (client → room): `submit` {id, clue, guess}, `hint` {id, clue, index}.
 * Reply (room → sender): `result` {id, correct?, points} or {id, code} when the command is refused,
 * with the codes Cairn uses for the same refusals.
 */
import { Room, type Client } from '@colyseus/core';
import { ArraySchema, schema } from '@colyseus/schema';
import type { ClueDefinition, HuntDefinition } from '../actors/definition/hunt-definition.js';
import { isCorrect as judge } from '../actors/hunt/decide-submit.js';
import type { Guess } from '../src/client/index.js';

const TOP = 10;

const Leader = schema({ name: 'string', points: 'int32', solved: 'uint16' }, 'Leader');
// Only the leaderboard: what Cairn pushes to every player of a hunt (its player count goes to staff only).
const HuntState = schema({ top: [Leader] }, 'HuntState');
type HuntStateInstance = InstanceType<typeof HuntState>;

interface Progress {
  readonly name: string;
  points: number;
  solved: number;
  lastScoredAt: number;
  clue: number;
  unlockedAt: number;
  wrong: number;
  hints: Set<number>;
}

export interface HuntRoomOptions {
  hunt: string;
  definition: HuntDefinition;
}

/** Cairn's leaderboard order: most points first, then whoever reached them first, then by name. */
const compare = (a: Progress, b: Progress) => b.points - a.points || a.lastScoredAt - b.lastScoredAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The same judgement as Cairn's rules, so that both servers play the same game. */
const isCorrect = (clue: ClueDefinition, guess: Guess): boolean => judge(clue.solve, guess);

export class HuntRoom extends Room<HuntStateInstance> {
  private definition!: HuntDefinition;
  private readonly clueIndex = new Map<string, number>();
  private readonly players = new Map<string, Progress>();
  /** The leaders in order, at most TOP; mirrored into `state.top`. */
  private top: Progress[] = [];

  override onCreate(options: HuntRoomOptions): void {
    this.roomId = options.hunt;
    this.definition = options.definition;
    this.definition.clues.forEach((clue, i) => this.clueIndex.set(clue.id, i));
    this.state = new HuntState();
    // The rooms are made before anyone joins and must outlive an empty moment, as Cairn's hunts do.
    this.autoDispose = false;
    this.maxClients = this.definition.maxPlayers;
    this.onMessage('submit', (client, m: { id: number; clue: string; guess: Guess }) => this.submit(client, m));
    this.onMessage('hint', (client, m: { id: number; clue: string; index: number }) => this.hint(client, m));
  }

  override onJoin(client: Client, options?: { name?: string }): void {
    const now = Date.now();
    const name = options?.name ?? client.sessionId;
    const progress: Progress = { name, points: 0, solved: 0, lastScoredAt: Number.POSITIVE_INFINITY, clue: 0, unlockedAt: now, wrong: 0, hints: new Set() };
    this.players.set(client.sessionId, progress);
    this.rank(progress, false);
  }

  override onLeave(client: Client): void {
    const progress = this.players.get(client.sessionId);
    this.players.delete(client.sessionId);
    if (progress && this.top.includes(progress)) this.rebuildTop();
  }

  /** Why the command cannot be judged (Cairn's rejection codes), or the clue it is about. */
  private check(progress: Progress | undefined, clueId: string): { code: string } | { clue: ClueDefinition } {
    if (!progress) return { code: 'not-joined' };
    const index = this.clueIndex.get(clueId);
    if (index === undefined) return { code: 'unknown-clue' };
    if (index > progress.clue) return { code: 'clue-locked' };
    if (index < progress.clue) return { code: 'clue-already-solved' };
    return { clue: this.definition.clues[index]! };
  }

  private submit(client: Client, m: { id: number; clue: string; guess: Guess }): void {
    const progress = this.players.get(client.sessionId);
    const checked = this.check(progress, m.clue);
    if ('code' in checked) return client.send('result', { id: m.id, code: checked.code });
    const p = progress!;
    const { scoring } = this.definition;
    if (m.guess?.kind !== checked.clue.solve.kind) return client.send('result', { id: m.id, code: 'wrong-guess-kind' });
    if (scoring.maxAttemptsPerClue !== undefined && p.wrong >= scoring.maxAttemptsPerClue) return client.send('result', { id: m.id, code: 'attempts-exhausted' });
    const now = Date.now();
    const correct = isCorrect(checked.clue, m.guess);
    if (correct) {
      const bonus = scoring.speedBonus && now - p.unlockedAt <= scoring.speedBonus.withinSeconds * 1000 ? scoring.speedBonus.points : 0;
      p.points += checked.clue.points + bonus;
      p.solved += 1;
      p.lastScoredAt = now;
      p.clue = Math.min(p.clue + 1, this.definition.clues.length);
      p.unlockedAt = now;
      p.wrong = 0;
      p.hints.clear();
      this.rank(p, false);
    } else {
      p.wrong += 1;
      p.points -= scoring.wrongAnswerPenalty;
      if (scoring.wrongAnswerPenalty !== 0) this.rank(p, true);
    }
    client.send('result', { id: m.id, correct, points: p.points });
  }

  private hint(client: Client, m: { id: number; clue: string; index: number }): void {
    const progress = this.players.get(client.sessionId);
    const checked = this.check(progress, m.clue);
    if ('code' in checked) return client.send('result', { id: m.id, code: checked.code });
    const p = progress!;
    const hint = checked.clue.hints[m.index];
    if (!hint) return client.send('result', { id: m.id, code: 'unknown-hint' });
    if (p.hints.has(m.index)) return client.send('result', { id: m.id, code: 'hint-already-revealed' });
    p.hints.add(m.index);
    p.points -= hint.penalty;
    if (hint.penalty !== 0) this.rank(p, true);
    client.send('result', { id: m.id, text: hint.text, points: p.points });
  }

  /** Puts `p` where its points now place it among the leaders, and mirrors the change into the state. */
  private rank(p: Progress, fell: boolean): void {
    const at = this.top.indexOf(p);
    if (at >= 0 && fell && this.players.size > TOP) {
      // Whoever is 11th may now pass it, and only a scan finds them: rare, since few are leaders.
      this.rebuildTop();
      return;
    }
    if (at < 0) {
      const last = this.top[this.top.length - 1];
      if (this.top.length >= TOP && last && compare(p, last) >= 0) return;
      this.top.push(p);
    }
    this.top.sort(compare);
    if (this.top.length > TOP) this.top.length = TOP;
    this.mirror();
  }

  private rebuildTop(): void {
    this.top = [...this.players.values()].sort(compare).slice(0, TOP);
    this.mirror();
  }

  /** Writes only the fields that differ, so that a patch carries the change and nothing else. */
  private mirror(): void {
    const top = this.state.top as ArraySchema<InstanceType<typeof Leader>>;
    this.top.forEach((p, i) => {
      let entry = top[i];
      if (!entry) {
        entry = new Leader();
        top.push(entry);
      }
      if (entry.name !== p.name) entry.name = p.name;
      if (entry.points !== p.points) entry.points = p.points;
      if (entry.solved !== p.solved) entry.solved = p.solved;
    });
    while (top.length > this.top.length) top.pop();
  }
}
