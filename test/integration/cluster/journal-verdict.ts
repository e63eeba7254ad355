import type { StoredEvent } from '../../../src/journal/journal.js';
import type { SentCommand } from './retrying-players.js';

/**
 * The check at the end of a fault-injection run: what the clients were told against what each
 * hunt's journal holds. Every list is empty when nothing acknowledged was lost, nothing was
 * applied twice and every answer told the truth.
 */
export interface JournalVerdict {
  /** Acknowledged, but not in the journal. */
  readonly lost: string[];
  /** In the journal more than once. */
  readonly duplicated: string[];
  /** Acknowledged with another update number, or another verdict (right/wrong), than the stored event's. */
  readonly misreported: string[];
  /** Refused for good, yet stored. */
  readonly refusedButStored: string[];
  /** Stored guesses that no client sent. */
  readonly unknown: string[];
  /** Hunts whose sequence or update numbers are not 1..n. */
  readonly gaps: string[];
  /** Commands given up on at the end (neither acknowledged nor refused), and how many of them were stored. */
  inDoubt: number;
  inDoubtStored: number;
}

interface GuessPayload {
  readonly type: string;
  readonly commandId?: string;
  readonly update?: number;
}

export function judge(eventsByHunt: ReadonlyMap<string, readonly StoredEvent[]>, commands: readonly SentCommand[]): JournalVerdict {
  const verdict: JournalVerdict = { lost: [], duplicated: [], misreported: [], refusedButStored: [], unknown: [], gaps: [], inDoubt: 0, inDoubtStored: 0 };
  const stored = new Map<string, GuessPayload[]>();
  for (const [hunt, events] of eventsByHunt) {
    const payloads = events.map((event) => event.payload as GuessPayload);
    if (events.some((event, i) => event.seqNr !== i + 1 || payloads[i]!.update !== i + 1)) {
      verdict.gaps.push(`${hunt}: seqNr/update ${events.map((e, i) => `${e.seqNr}/${payloads[i]!.update}`).join(' ')}`);
    }
    for (const payload of payloads) {
      if (payload.commandId === undefined) continue;
      stored.set(payload.commandId, [...(stored.get(payload.commandId) ?? []), payload]);
    }
  }
  for (const [commandId, copies] of stored) if (copies.length > 1) verdict.duplicated.push(`${commandId} x${copies.length}`);

  const sent = new Set(commands.map((command) => command.commandId));
  for (const [commandId, [first]] of stored) {
    if ((first!.type === 'guess-incorrect' || first!.type === 'clue-solved') && !sent.has(commandId)) verdict.unknown.push(commandId);
  }
  for (const command of commands) {
    const event = stored.get(command.commandId)?.[0];
    const outcome = command.outcome;
    if (outcome?.kind === 'acknowledged') {
      if (!event) verdict.lost.push(command.commandId);
      else if (event.update !== outcome.update || (event.type === 'clue-solved') !== outcome.correct) {
        verdict.misreported.push(`${command.commandId}: told update ${outcome.update} correct ${outcome.correct}, stored ${event.type} at ${event.update}`);
      }
    } else if (outcome?.kind === 'refused') {
      if (event) verdict.refusedButStored.push(`${command.commandId} (${outcome.code})`);
    } else {
      verdict.inDoubt += 1;
      if (event) verdict.inDoubtStored += 1;
    }
  }
  return verdict;
}
