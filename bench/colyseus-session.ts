/**
 * A scripted player's side of the Colyseus hunt room (bench/colyseus-hunt-room.ts), through the
 * colyseus.js client: joins the room of a hunt by its id, sends `submit` and `hint` messages with
 * an id, and settles each with the room's `result` of that id. The leaderboard arrives as state
 * patches, which colyseus.js decodes into `room.state` as a browser client would.
 */
import { Client, type Room } from 'colyseus.js';
import type { Guess } from '../src/client/index.js';
import { CommandFailed, REQUEST_TIMEOUT_MS, type PlayerSession } from './player-script.js';

interface Result {
  id: number;
  code?: string;
  correct?: boolean;
}

interface Waiting {
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ColyseusSession implements PlayerSession {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(readonly room: Room) {
    room.onMessage('result', (result: Result) => {
      const waiting = this.waiting.get(result.id);
      if (!waiting) return;
      this.waiting.delete(result.id);
      clearTimeout(waiting.timer);
      if (result.code) waiting.reject(new CommandFailed(result.code));
      else waiting.resolve(result);
    });
    room.onLeave(() => {
      for (const w of this.waiting.values()) {
        clearTimeout(w.timer);
        w.reject(new CommandFailed('client:closed'));
      }
      this.waiting.clear();
    });
  }

  async submit(clue: string, guess: Guess): Promise<{ correct: boolean }> {
    const result = await this.request('submit', { clue, guess });
    return { correct: result.correct === true };
  }

  hint(clue: string, index: number): Promise<unknown> {
    return this.request('hint', { clue, index });
  }

  private request(type: string, body: object): Promise<Result> {
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new CommandFailed(`client:timeout (no reply in ${REQUEST_TIMEOUT_MS / 1000} s)`));
      }, REQUEST_TIMEOUT_MS);
      this.waiting.set(id, { resolve, reject, timer });
      this.room.send(type, { id, ...body });
    });
  }
}

/** Joins player `index` to the room of `hunt`; a failure throws its reason. `onDrop` hears of a room left afterwards. */
export async function joinColyseus(url: string, hunt: string, index: number, onDrop: (reason: string) => void): Promise<ColyseusSession> {
  let room: Room;
  try {
    room = await new Client(url).joinById(hunt, { name: `Player ${index}` });
  } catch (error) {
    throw new Error(`join: ${error instanceof Error ? error.message : String(error)}`);
  }
  const session = new ColyseusSession(room);
  room.onLeave((code) => onDrop(String(code)));
  return session;
}
