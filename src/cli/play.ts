import readline from 'node:readline';
import { createCairnClient, CairnRequestError, type CairnClient } from '../client/index.js';
import type { Guess } from '../../protocol/client-messages.js';
import type { HuntChange, PlayerView } from '../../protocol/views.js';
import { CliError, ExitCode } from './cli-connection.js';
import { renderChange, renderLeaderboard, renderView } from './render.js';

/** An update number beyond any hunt's: a resume from it is answered with the whole current view. */
const FULL_VIEW = 2 ** 31;

const HELP = `commands:
  answer <clue> <text>        guess an answer        (a <clue> <text>)
  code <clue> <code>          enter a code           (c <clue> <code>)
  at <clue> <lat> <lon>       guess a location       (l <clue> <lat> <lon>)
  hint <clue> <n>             reveal hint n (costs its penalty)
  view                        show your clues again
  board                       show the leaderboard
  leave                       leave the hunt
  quit                        stop playing (you stay in the hunt; play again to resume)`;

/** A small terminal client: joins (or resumes) a hunt and reads commands from the keyboard. */
export async function play(url: string, token: string, hunt: string, options: { team?: string; name: string }): Promise<void> {
  const client = createCairnClient({ url, token });
  const out = (text: string) => process.stdout.write(`${text}\n`);
  let view: PlayerView | undefined;
  // Made once the view is shown; a kick before that ends the session without it.
  const prompt: { rl?: readline.Interface } = {};
  let removed = false;

  client.on('update', (update) => {
    if (update.hunt !== hunt) return;
    for (const change of update.changes) {
      view = applyChange(view, change);
      out(renderChange(change));
      if (change.kind === 'kicked') {
        // Nothing more can be played here: end the session rather than leave a dead prompt.
        removed = true;
        prompt.rl?.close();
      }
    }
  });
  // One line per outage, not one per reconnect attempt.
  let offline = false;
  client.on('disconnected', ({ code, willReconnect }) => {
    if (offline && willReconnect) return;
    offline = willReconnect;
    out(`* connection lost (${code})${willReconnect ? ', reconnecting...' : ''}`);
  });
  client.on('connected', () => (offline = false));
  const welcome = await client.connect();
  if (welcome.hunts.some((h) => h.hunt === hunt)) {
    const resumed = await client.resume(hunt, FULL_VIEW);
    view = resumed.view;
  } else {
    view = (await client.join(hunt, { displayName: options.name, ...(options.team ? { team: options.team } : {}) }).catch((error: unknown) => {
      throw withFlagHint(error);
    })).view;
  }
  if (view) out(renderView(view));
  out(`\n${HELP}\n`);
  // Registered after the first load, so it speaks only of reconnects.
  client.on('resumed', ({ complete, replayed, view: fresh }) => {
    if (fresh) view = fresh;
    out(`* back online: ${complete ? `caught up on ${replayed} update(s)` : 'reloaded the whole view'}`);
  });

  if (removed) {
    await client.close();
    return;
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
  prompt.rl = rl;
  rl.prompt();
  for await (const line of rl) {
    const done = await runLine(client, hunt, line.trim(), () => view, out).catch((error: unknown) => {
      out(error instanceof CairnRequestError ? `! ${error.code}: ${error.message}` : `! ${(error as Error).message}`);
      return false;
    });
    if (done) break;
    rl.prompt();
  }
  rl.close();
  await client.close();
}

async function runLine(client: CairnClient, hunt: string, line: string, current: () => PlayerView | undefined, out: (t: string) => void): Promise<boolean> {
  const [command, clue, ...rest] = line.split(/\s+/);
  const view = current();
  const guess = async (g: Guess) => {
    const r = await client.submit(hunt, clue!, g);
    out(r.correct ? `correct! +${r.points}${r.bonus ? ` (+${r.bonus} speed bonus)` : ''}` : `not right${r.points ? ` (${r.points} pts)` : ''}${r.attemptsLeft !== null ? `, ${r.attemptsLeft} attempts left` : ''}`);
    // The reply comes after its updates, so the view already holds this solve.
    const finished = r.correct ? finishLine(current()) : undefined;
    if (finished) out(finished);
  };
  switch (command) {
    case '':
      return false;
    case 'a':
    case 'answer':
      if (!clue || rest.length === 0) throw new Error('usage: answer <clue> <text>');
      await guess({ kind: 'answer', text: rest.join(' ') });
      return false;
    case 'c':
    case 'code':
      if (!clue || rest.length === 0) throw new Error('usage: code <clue> <code>');
      await guess({ kind: 'code', code: rest.join(' ') });
      return false;
    case 'l':
    case 'at': {
      const [lat, lon] = rest.map(Number);
      if (!clue || !Number.isFinite(lat) || !Number.isFinite(lon)) throw new Error('usage: at <clue> <latitude> <longitude>');
      await guess({ kind: 'location', latitude: lat!, longitude: lon! });
      return false;
    }
    case 'hint': {
      const index = Number(rest[0]);
      if (!clue || !Number.isInteger(index)) throw new Error('usage: hint <clue> <n>');
      const r = await client.hint(hunt, clue, index);
      out(`hint: ${r.text}${r.penalty ? ` (-${r.penalty} pts)` : ''}`);
      return false;
    }
    case 'view':
      out(view ? renderView(view) : 'no view yet');
      return false;
    case 'board':
      out(view ? renderLeaderboard(view.leaderboard.top) : 'no view yet');
      return false;
    case 'leave':
      await client.leave(hunt);
      out('you left the hunt');
      return true;
    case 'quit':
    case 'exit':
      return true;
    case 'help':
      out(HELP);
      return false;
    default:
      throw new Error(`unknown command ${command}: type help`);
  }
}

/** What to say once every clue of the hunt is solved, or undefined while some are left. */
function finishLine(view: PlayerView | undefined): string | undefined {
  if (!view || view.clues.length < view.totalClues || view.clues.some((c) => c.status !== 'solved')) return undefined;
  const rank = view.leaderboard.you?.rank ?? view.leaderboard.top.find((e) => e.competitorId === view.you.competitorId)?.rank;
  return `* you finished the hunt: all ${view.totalClues} clues, ${view.you.points} pts${rank ? `, rank ${rank} of ${view.leaderboard.total}` : ''}`;
}

/** Keeps the local view current with pushed changes, so `view` shows the latest. */
function applyChange(view: PlayerView | undefined, change: HuntChange): PlayerView | undefined {
  if (!view) return view;
  switch (change.kind) {
    case 'clue': {
      const known = view.clues.some((c) => c.id === change.clue.id);
      const clues = known ? view.clues.map((c) => (c.id === change.clue.id ? change.clue : c)) : [...view.clues, change.clue];
      return { ...view, clues };
    }
    case 'score': {
      const own = view.leaderboard.you;
      const you = own ? { ...own, points: change.points, rank: change.rank ?? own.rank } : undefined;
      return { ...view, you: { ...view.you, points: change.points }, leaderboard: { ...view.leaderboard, ...(you ? { you } : {}) } };
    }
    case 'leaderboard':
      return { ...view, leaderboard: { ...change.leaderboard, ...(view.leaderboard.you ? { you: view.leaderboard.you } : {}) } };
    case 'hunt-status':
      return { ...view, status: change.status };
    default:
      return view;
  }
}

/** The server speaks of teams; a terminal player needs to hear which flag to give. */
function withFlagHint(error: unknown): unknown {
  if (!(error instanceof CairnRequestError)) return error;
  if (error.code === 'team-required') return new CliError(`${error.message}: play again with --team <team>`, ExitCode.refused);
  if (error.code === 'teams-disabled') return new CliError(`${error.message}: play again without --team`, ExitCode.refused);
  return error;
}
