import type { Journal, StoredEvent } from '../../src/journal/journal.js';
import { huntFile } from './hunts.js';
import { RawClient, type Outgoing, type Reply } from './raw-client.js';
import { tokenFor, type ServerProcess } from './server-process.js';

/**
 * Steady guessing for crash tests: every player keeps a few wrong guesses in flight, each with a
 * fresh command id, and the ledger keeps the ids the server acknowledged. A wrong guess is stored
 * as exactly one event carrying its command id, so the journal can be checked against the ledger.
 */

/**
 * Server settings for a node under the guess load: no per-player guess limit, and no refusals for
 * a slow event loop (the test's own load slows it on 2 cores; refusing would only slow the test).
 */
export const UNTHROTTLED_ENV: Readonly<Record<string, string>> = {
  CAIRN_GUESSES_PER_SECOND: '1000',
  CAIRN_GUESS_BURST: '1000',
  CAIRN_OVERLOAD_MAX_LOOP_DELAY_MS: '0',
};

/** Settings that let a node notice a failing journal, and its return, within about a second. */
export const QUICK_BREAKER_ENV: Readonly<Record<string, string>> = {
  CAIRN_BREAKER_FAILURES: '3',
  CAIRN_BREAKER_HALF_OPEN_MS: '1000',
  CAIRN_JOURNAL_PROBE_MS: '500',
};

/** Opens a player (or designer) socket on `server` and keeps it in `sockets` for the clean-up. */
export async function connectKept(sockets: RawClient[], server: ServerProcess, subject: string, role: 'player' | 'designer' = 'player'): Promise<RawClient> {
  const socket = await RawClient.connect(server.wsUrl, await tokenFor(subject, role));
  sockets.push(socket);
  return socket;
}

export const LOAD_HUNT = huntFile({
  title: 'Crash drill',
  maxPlayers: 200,
  order: 'free',
  clues: [{ id: 'riddle', points: 10, answer: 'never-guessed' }],
});

/** One guess the load sent, and its reply once it came (none: it timed out, or the socket went down first). */
export interface SentGuess {
  /** Which socket it went out on: its index in the sockets given to startGuessLoad. */
  readonly socket: number;
  readonly commandId: string;
  /** The request as sent, without its request id: sending it again is a retry of the same command. */
  readonly message: Outgoing;
  reply?: Reply;
}

export interface GuessLoad {
  /** Every guess sent, in the order sent. */
  readonly sent: readonly SentGuess[];
  /** Command ids answered ok, in the order the replies came. */
  readonly acknowledged: readonly string[];
  /** Error replies by code (a refused command is not stored, or at least not acknowledged). */
  readonly refused: ReadonlyMap<string, number>;
  /** Requests that got no reply (timed out, or the socket went down with the server). */
  readonly unanswered: number;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

export function startGuessLoad(
  sockets: readonly RawClient[],
  options: { readonly hunt: string; readonly inFlightPerSocket: number; readonly prefix: string; readonly replyTimeoutMs?: number },
): GuessLoad {
  const sent: SentGuess[] = [];
  const acknowledged: string[] = [];
  const refused = new Map<string, number>();
  let unanswered = 0;
  let running = true;
  let next = 0;

  const loop = async (socket: RawClient, index: number): Promise<void> => {
    while (running && socket.isOpen) {
      const n = ++next;
      const commandId = `${options.prefix}-${n}`;
      const guess: SentGuess = {
        socket: index,
        commandId,
        message: { type: 'submit', hunt: options.hunt, clue: 'riddle', guess: { kind: 'answer', text: `try ${n}` }, commandId },
      };
      sent.push(guess);
      try {
        const reply = await socket.request(guess.message, options.replyTimeoutMs ?? 15_000);
        guess.reply = reply;
        if (reply.ok) acknowledged.push(commandId);
        else {
          refused.set(reply.error.code, (refused.get(reply.error.code) ?? 0) + 1);
          await sleep(100); // the store is down: no need to hammer it
        }
      } catch {
        unanswered += 1;
      }
    }
  };
  const loops = sockets.flatMap((socket, index) => Array.from({ length: options.inFlightPerSocket }, () => loop(socket, index)));

  return {
    sent,
    acknowledged,
    refused,
    get unanswered() {
      return unanswered;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Every event of one entity, page by page. */
export async function readAllEvents(journal: Journal, entityId: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (;;) {
    const page = await journal.readEvents(entityId, events.at(-1)?.seqNr ?? 0, 1000);
    events.push(...page);
    if (page.length < 1000) return events;
  }
}

/** How the journal's events compare with the acknowledged command ids. */
export function compareWithLedger(events: readonly StoredEvent[], acknowledged: readonly string[]): { lost: string[]; storedTwice: string[] } {
  const times = new Map<string, number>();
  for (const event of events) {
    const commandId = (event.payload as { commandId?: unknown }).commandId;
    if (typeof commandId === 'string') times.set(commandId, (times.get(commandId) ?? 0) + 1);
  }
  return {
    lost: acknowledged.filter((id) => !times.has(id)),
    storedTwice: [...times].filter(([, count]) => count > 1).map(([id]) => id),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
