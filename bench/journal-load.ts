import type { HuntDefinition } from '../actors/definition/hunt-definition.js';
import type { Journal } from '../src/journal/journal.js';
import { latencyRecorder, runConcurrently } from './bench-kit.js';

/** One clue nobody solves, room for everyone, no guess limits: every guess is a stored event. */
export const guessingHunt: HuntDefinition = {
  title: 'Bench hunt',
  description: '',
  maxPlayers: 100_000,
  order: 'free',
  scoring: { wrongAnswerPenalty: 1 },
  guessing: { minSecondsBetweenGuesses: 0, maxTravelSpeedKmh: 150 },
  clues: [{ id: 'only', title: 'Only', text: 'Guess', points: 10, hints: [], solve: { kind: 'answer', accepted: ['never guessed'] } }],
};

/** Fails the benchmark when a command it relies on is refused. */
export async function must(outcome: Promise<{ ok: boolean }>): Promise<void> {
  const result = await outcome;
  if (!result.ok) throw new Error(`bench command refused: ${JSON.stringify(result)}`);
}

/** `total` single-event appends spread over `entities`, `concurrency` at a time; appends/s and latency. */
export async function measureAppends(journal: Journal, options: { entities: number; total: number; concurrency: number; prefix: string }) {
  const next = new Array<number>(options.entities).fill(0);
  const latency = latencyRecorder();
  const started = performance.now();
  await runConcurrently(options.total, options.concurrency, async (i) => {
    const entity = i % options.entities;
    const expected = next[entity]!;
    next[entity] = expected + 1;
    const t = performance.now();
    // With its command's key, as an entity's append carries one: the ledger's index is part of the cost.
    const command = { issuer: `player:p${i % 64}`, commandId: `${options.prefix}-${i}` };
    await journal.append(`${options.prefix}-${entity}`, expected, [{ type: 'guess-incorrect', updateSeq: expected + 1, payload: { i, text: 'a wrong guess' }, command }]);
    latency.record(t);
  });
  return { perSecond: options.total / ((performance.now() - started) / 1000), ...latency.summary() };
}
