import fc from 'fast-check';
import type { ClueDefinition, HintDefinition, HuntDefinition } from '../../../actors/definition/hunt-definition.js';
import { decideHunt } from '../../../actors/hunt/decide-hunt.js';
import { evolveHunt } from '../../../actors/hunt/evolve-hunt.js';
import type { Guess, HuntCommand } from '../../../actors/hunt/hunt-commands.js';
import type { HuntEvent } from '../../../actors/hunt/hunt-events.js';
import { initialHuntState, isResolved, type HuntState } from '../../../actors/hunt/hunt-state.js';
import { north, s, T0, TOWER, riddleClue, towerClue, vaultClue } from './definitions.js';
import {
  announce,
  answer,
  code,
  editClue,
  end,
  join,
  kick,
  leave,
  location,
  pause,
  releaseHint,
  requestHint,
  resume,
  spawn,
  start,
  submit,
  tick,
  withId,
} from './given.js';

/**
 * Random hunts and command sequences for property tests: a definition shape, then commands
 * folded through decideHunt and an evolve function (rejections ignored, duplicates not stored).
 */
const PLAYERS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'] as const;
/** Team names, some of which are the same team written differently. */
const TEAMS = ['Owls', 'owls!', 'Larks', 'LARKS', 'Crows', ' crôws '] as const;
const CLUE_IDS = ['riddle', 'tower', 'vault'] as const;

const RIGHT: Record<(typeof CLUE_IDS)[number], readonly Guess[]> = {
  riddle: [answer('Nautilus'), answer('le nautilus'), answer('NAUTILUS!')],
  tower: [location(TOWER), location(north(TOWER, 20))],
  vault: [code('QX-7731'), code('qx 7731')],
};
const WRONG: Record<(typeof CLUE_IDS)[number], readonly Guess[]> = {
  riddle: [answer('Titanic'), answer('nemo'), location(TOWER)],
  tower: [location(north(TOWER, 500)), location(north(TOWER, 100_000)), answer('Eiffel')],
  vault: [code('QX-7732'), code('0000')],
};

// ---------------------------------------------------------------------------------------------
// Definitions

export interface DefinitionShape {
  readonly order: 'linear' | 'free';
  readonly teamSize: number | null;
  readonly maxPlayers: number;
  readonly penalty: number;
  readonly maxAttempts: number | null;
  readonly bonus: { points: number; withinSeconds: number } | null;
  readonly limits: readonly (number | null)[];
  readonly autoHint: number | null;
  readonly startsAt: number | null;
  readonly endsAt: number | null;
}

export const definitionShape: fc.Arbitrary<DefinitionShape> = fc.record({
  order: fc.constantFrom('linear' as const, 'free' as const),
  teamSize: fc.option(fc.integer({ min: 1, max: 3 })),
  maxPlayers: fc.integer({ min: 2, max: 6 }),
  penalty: fc.integer({ min: 0, max: 10 }),
  maxAttempts: fc.option(fc.integer({ min: 1, max: 3 })),
  bonus: fc.option(fc.record({ points: fc.integer({ min: 1, max: 50 }), withinSeconds: fc.integer({ min: 1, max: 120 }) })),
  limits: fc.array(fc.option(fc.integer({ min: 10, max: 300 }), { nil: null, freq: 2 }), { minLength: 3, maxLength: 3 }),
  autoHint: fc.option(fc.integer({ min: 5, max: 200 })),
  startsAt: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null, freq: 3 }),
  endsAt: fc.option(fc.integer({ min: 600, max: 6000 }), { nil: null, freq: 2 }),
});

export function buildDefinition(shape: DefinitionShape): HuntDefinition {
  const withLimit = (clue: ClueDefinition, index: number): ClueDefinition => {
    const limit = shape.limits[index];
    return limit === null || limit === undefined ? clue : { ...clue, timeLimitSeconds: limit };
  };
  const riddle: ClueDefinition =
    shape.autoHint === null
      ? riddleClue
      : { ...riddleClue, hints: [riddleClue.hints[0]!, { ...riddleClue.hints[1]!, autoReleaseAfterSeconds: shape.autoHint }] };
  return {
    title: 'Random hunt',
    description: 'Generated.',
    maxPlayers: shape.maxPlayers,
    order: shape.order,
    ...(shape.teamSize !== null ? { teams: { maxTeamSize: shape.teamSize } } : {}),
    ...(shape.startsAt !== null ? { startsAt: s(shape.startsAt) } : {}),
    ...(shape.endsAt !== null ? { endsAt: s(shape.endsAt) } : {}),
    scoring: {
      wrongAnswerPenalty: shape.penalty,
      ...(shape.maxAttempts !== null ? { maxAttemptsPerClue: shape.maxAttempts } : {}),
      ...(shape.bonus !== null ? { speedBonus: shape.bonus } : {}),
    },
    guessing: { minSecondsBetweenGuesses: 2, maxTravelSpeedKmh: 150 },
    clues: [riddle, towerClue, vaultClue].map(withLimit),
  };
}

// ---------------------------------------------------------------------------------------------
// Commands

export type Action =
  | { readonly kind: 'join'; readonly player: number; readonly team: number | null }
  | { readonly kind: 'leave'; readonly player: number }
  | { readonly kind: 'kick'; readonly player: number }
  /** `targeted`: the player and clue are picked among the active players and their open clues, when there are any. */
  | {
      readonly kind: 'submit';
      readonly targeted: boolean;
      readonly player: number;
      readonly clue: number;
      readonly right: boolean;
      readonly variant: number;
    }
  | { readonly kind: 'request-hint'; readonly targeted: boolean; readonly player: number; readonly clue: number; readonly hint: number }
  | { readonly kind: 'release-hint'; readonly clue: number; readonly hint: number }
  | { readonly kind: 'edit-hints'; readonly clue: number; readonly count: number; readonly auto: number | null }
  | { readonly kind: 'announce' }
  | { readonly kind: 'start' | 'pause' | 'resume' | 'end' | 'tick' }
  | { readonly kind: 'repeat'; readonly back: number };

export interface Step {
  /** Seconds since the previous command. */
  readonly dt: number;
  readonly action: Action;
}

/** Mostly the first few players, so that the same players join, guess and leave. */
const player = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 2 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: PLAYERS.length - 1 }) });
const clue = fc.integer({ min: 0, max: CLUE_IDS.length - 1 });
const targeted = fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const simple = (kind: 'start' | 'pause' | 'resume' | 'end' | 'tick' | 'announce') => fc.constant({ kind } as Action);

const joinAction: fc.Arbitrary<Action> = fc.record({
  kind: fc.constant('join' as const),
  player,
  team: fc.option(fc.integer({ min: 0, max: TEAMS.length - 1 }), { nil: null, freq: 8 }),
});

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 12, arbitrary: joinAction },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('leave' as const), player }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('kick' as const), player }) },
  {
    weight: 60,
    arbitrary: fc.record({ kind: fc.constant('submit' as const), targeted, player, clue, right: fc.boolean(), variant: fc.nat({ max: 5 }) }),
  },
  {
    weight: 12,
    arbitrary: fc.record({ kind: fc.constant('request-hint' as const), targeted, player, clue, hint: fc.integer({ min: -1, max: 2 }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('release-hint' as const), clue, hint: fc.integer({ min: 0, max: 2 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('edit-hints' as const),
      clue,
      count: fc.integer({ min: 0, max: 3 }),
      auto: fc.option(fc.integer({ min: 1, max: 200 })),
    }),
  },
  { weight: 2, arbitrary: simple('announce') },
  { weight: 6, arbitrary: simple('start') },
  { weight: 2, arbitrary: simple('pause') },
  { weight: 10, arbitrary: simple('resume') },
  { weight: 1, arbitrary: simple('end') },
  { weight: 12, arbitrary: simple('tick') },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('repeat' as const), back: fc.nat() }) },
);

const step: fc.Arbitrary<Step> = fc.record({
  dt: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 120 }) }),
  action,
});

/** A generated hunt: its definition and the commands after the spawn (often some joins and a start first). */
export const scenario = fc
  .record({
    shape: definitionShape,
    opening: fc.array(joinAction, { maxLength: 6 }),
    startEarly: targeted,
    rest: fc.array(step, { minLength: 5, maxLength: 80, size: 'max' }),
  })
  .map(({ shape, opening, startEarly, rest }) => ({
    shape,
    steps: [
      ...opening.map((a): Step => ({ dt: 0, action: a })),
      ...(startEarly ? [{ dt: 1, action: { kind: 'start' } } satisfies Step] : []),
      ...rest,
    ],
  }));

const pick = <T>(list: readonly T[], index: number): T => list[index % list.length]!;

/** The player and clue an action names: when targeted, an active player and one of their open clues. */
function target(state: HuntState, a: { targeted: boolean; player: number; clue: number }): { playerId: string; clueId: (typeof CLUE_IDS)[number] } {
  const fallback = { playerId: pick(PLAYERS, a.player), clueId: pick(CLUE_IDS, a.clue) };
  if (!a.targeted) return fallback;
  const active = Object.values(state.players).filter((p) => p.active);
  if (active.length === 0) return fallback;
  const chosen = pick(active, a.player);
  const progress = state.competitors[chosen.competitorId]?.progress ?? {};
  const open = CLUE_IDS.filter((id) => progress[id] !== undefined && !isResolved(progress[id]));
  return { playerId: chosen.playerId, clueId: open.length === 0 ? fallback.clueId : pick(open, a.clue) };
}

function toCommand(state: HuntState, definition: HuntDefinition, a: Action, at: number, issued: readonly HuntCommand[]): HuntCommand {
  switch (a.kind) {
    case 'join': {
      const team = a.team === null ? undefined : TEAMS[a.team];
      // In a solo hunt, mostly join without a team so that joins succeed.
      const wantsTeam = definition.teams !== undefined || (team !== undefined && a.player === 0);
      return join(pick(PLAYERS, a.player), at, { displayName: `Name ${a.player}`, ...(wantsTeam && team !== undefined ? { team } : {}) });
    }
    case 'leave':
      return leave(pick(PLAYERS, a.player), at);
    case 'kick':
      return kick(pick(PLAYERS, a.player), at);
    case 'submit': {
      const { playerId, clueId } = target(state, a);
      return submit(playerId, clueId, pick(a.right ? RIGHT[clueId] : WRONG[clueId], a.variant), at);
    }
    case 'request-hint': {
      const { playerId, clueId } = target(state, a);
      return requestHint(playerId, clueId, a.hint, at);
    }
    case 'release-hint':
      return releaseHint(pick(CLUE_IDS, a.clue), a.hint, at);
    case 'edit-hints': {
      const hints: HintDefinition[] = Array.from({ length: a.count }, (_, i) => ({
        text: `Edited hint ${i}`,
        penalty: i * 3,
        ...(a.auto !== null && i === a.count - 1 ? { autoReleaseAfterSeconds: a.auto } : {}),
      }));
      return editClue(pick(CLUE_IDS, a.clue), { text: `Edited text at ${at}`, hints }, at);
    }
    case 'announce':
      return announce('Attention please', at);
    case 'start':
      return start(at);
    case 'pause':
      return pause(at);
    case 'resume':
      return resume(at);
    case 'end':
      return end(at);
    case 'tick':
      return tick(at);
    case 'repeat': {
      const earlier = issued.length === 0 ? tick(at) : issued[a.back % issued.length]!;
      return { ...withId(earlier, earlier.commandId), at };
    }
  }
}

export interface Trace {
  readonly definition: HuntDefinition;
  readonly state: HuntState;
  /** Every event stored, the spawn first. */
  readonly events: readonly HuntEvent[];
}

/** Folds a scenario, calling `check` after the spawn and after every command. */
export function play(
  shape: DefinitionShape,
  steps: readonly Step[],
  check: (state: HuntState, definition: HuntDefinition) => void = () => {},
  evolve: (state: HuntState, event: HuntEvent) => HuntState = evolveHunt,
): Trace {
  const definition = buildDefinition(shape);
  const issued: HuntCommand[] = [];
  const events: HuntEvent[] = [];
  let state = evolve === evolveHunt ? initialHuntState : structuredClone(initialHuntState);
  let at = T0;
  const apply = (command: HuntCommand): void => {
    issued.push(command);
    const decision = decideHunt(state, command);
    if (decision.kind === 'accepted' && !decision.duplicate) {
      events.push(decision.event);
      state = evolve(state, decision.event);
    }
    check(state, definition);
  };
  apply(spawn(definition, at));
  for (const { dt, action: a } of steps) {
    at += dt * 1000;
    apply(toCommand(state, definition, a, at, issued));
  }
  return { definition, state, events };
}

export const RUNS = { numRuns: 300 } as const;
