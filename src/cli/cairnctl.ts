/**
 * cairnctl: run hunts from a terminal. Talks to a Cairn server over its WebSocket protocol.
 * Exit codes: 0 done, 1 the server refused, 2 bad usage or input, 3 the server could not be reached,
 * 4 a change was not applied within --timeout.
 */
import fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { formatDefinitionErrors, parseHuntDefinition } from '../../actors/definition/parse-hunt-definition.js';
import type { Role } from '../auth/tokens.js';
import { asCliError, CliError, DEFAULT_URL, ExitCode, tokenFor, withClient, type ConnectionOptions } from './cli-connection.js';
import { play } from './play.js';
import { addShardCommands } from './shards-command.js';
import { renderLeaderboard, renderSummary } from './render.js';

const program = new Command('cairnctl')
  .description('Run Cairn treasure hunts: tokens, spawning, starting, status, and playing from a terminal.')
  .option('--url <url>', 'the server WebSocket URL (env CAIRN_URL)', process.env.CAIRN_URL ?? DEFAULT_URL)
  .option('--token <jwt>', 'use this token instead of minting one (env CAIRN_TOKEN)', process.env.CAIRN_TOKEN)
  .option('--secret <secret>', 'secret to mint tokens with (env CAIRN_TOKEN_SECRET; default: the development secret)')
  .showHelpAfterError()
  .exitOverride();

const connection = (): ConnectionOptions => program.opts<ConnectionOptions>();
const staffToken = () => tokenFor(connection(), 'cairnctl', 'designer');

const wholeNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
};
const ttl = (value: string) => {
  const match = /^(\d+)([smhd]?)$/.exec(value);
  if (!match) throw new InvalidArgumentError('use a number of seconds or e.g. 30m, 12h, 7d');
  return Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const)[match[2] as '' | 's' | 'm' | 'h' | 'd'];
};

program
  .command('token')
  .description('mint a signed token (with the server secret) for a player, designer or operator')
  .requiredOption('--sub <id>', 'subject: the player or staff id')
  .option('--role <role>', 'player | designer | operator', 'player')
  .option('--name <name>', 'display name')
  .option('--ttl <duration>', 'validity, e.g. 3600, 30m, 12h, 7d', ttl, 86_400)
  .action(async (o: { sub: string; role: string; name?: string; ttl: number }) => {
    if (!['player', 'designer', 'operator'].includes(o.role)) throw new CliError('--role must be player, designer or operator', ExitCode.usage);
    const { mintToken } = await import('../auth/tokens.js');
    const { DEV_TOKEN_SECRET } = await import('../auth/dev-secret.js');
    const secret = connection().secret ?? process.env.CAIRN_TOKEN_SECRET ?? DEV_TOKEN_SECRET;
    process.stdout.write(`${await mintToken(secret, { subject: o.sub, role: o.role as Role, ...(o.name ? { name: o.name } : {}) }, o.ttl)}\n`);
  });

program
  .command('spawn <file>')
  .description('create a hunt from a YAML or JSON hunt file')
  .requiredOption('--hunt <id>', 'the new hunt id')
  .action(async (file: string, o: { hunt: string }) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`, ExitCode.usage);
    }
    // Checked here first, so mistakes are listed with this file's name and lines.
    const parsed = parseHuntDefinition(text);
    if (!parsed.ok) throw new CliError(`${file} has mistakes:\n${formatDefinitionErrors(parsed.errors, file)}`, ExitCode.usage);
    const r = await withClient(connection().url, await staffToken(), (c) => c.spawn(o.hunt, text));
    console.log(`${r.duplicate ? 'already spawned' : 'spawned'} hunt ${o.hunt}: ${parsed.definition.title} (${parsed.definition.clues.length} clues)`);
  });

for (const [name, description] of [
  ['start', 'start a hunt'],
  ['pause', 'pause a running hunt'],
  ['resume', 'resume a paused hunt'],
  ['end', 'end a hunt'],
] as const) {
  program
    .command(`${name} <hunt>`)
    .description(description)
    .action(async (hunt: string) => {
      await withClient(connection().url, await staffToken(), (c) =>
        name === 'start' ? c.start(hunt) : name === 'pause' ? c.pause(hunt) : name === 'resume' ? c.resumeHunt(hunt) : c.end(hunt),
      );
      console.log(`hunt ${hunt}: ${name === 'end' ? 'ended' : `${name}${name.endsWith('e') ? 'd' : 'ed'}`}`);
    });
}

program
  .command('status <hunt>')
  .description('show a hunt: state, players, leaderboard')
  .option('--json', 'print JSON')
  .action(async (hunt: string, o: { json?: boolean }) => {
    const { summary } = await withClient(connection().url, await staffToken(), (c) => c.status(hunt));
    console.log(o.json ? JSON.stringify(summary, null, 2) : renderSummary(hunt, summary));
  });

program
  .command('leaderboard <hunt>')
  .description('show a hunt\'s leaderboard')
  .action(async (hunt: string) => {
    const { summary } = await withClient(connection().url, await staffToken(), (c) => c.status(hunt));
    console.log(renderLeaderboard(summary.leaderboard));
  });

program
  .command('announce <hunt> <message...>')
  .description('send an announcement to everyone in a hunt')
  .action(async (hunt: string, words: string[]) => {
    await withClient(connection().url, await staffToken(), (c) => c.announce(hunt, words.join(' ')));
    console.log('announced');
  });

program
  .command('release-hint <hunt> <clue> <index>')
  .description('reveal a hint of a clue to every player, for free')
  .action(async (hunt: string, clue: string, index: string) => {
    await withClient(connection().url, await staffToken(), (c) => c.releaseHint(hunt, clue, wholeNumber(index)));
    console.log(`hint ${index} of ${clue} released`);
  });

program
  .command('kick <hunt> <player>')
  .description('remove a player from a hunt for good')
  .requiredOption('--reason <text>', 'shown to the player')
  .action(async (hunt: string, player: string, o: { reason: string }) => {
    await withClient(connection().url, await staffToken(), (c) => c.kick(hunt, player, o.reason));
    console.log(`${player} removed from ${hunt}`);
  });

program
  .command('play <hunt>')
  .description('play a hunt in this terminal')
  .requiredOption('--as <name>', 'your player name (also your player id, made safe)')
  .option('--team <team>', 'your team, in a team hunt')
  .action(async (hunt: string, o: { as: string; team?: string }) => {
    const id = o.as.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 64);
    if (!id) throw new CliError('--as needs letters or digits', ExitCode.usage);
    const token = await tokenFor(connection(), id, 'player', o.as.slice(0, 40));
    try {
      await play(connection().url, token, hunt, { name: o.as.slice(0, 40), ...(o.team ? { team: o.team } : {}) });
    } catch (error) {
      throw asCliError(error);
    }
  });

addShardCommands(program, connection);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const e = error as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      process.exit(e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : ExitCode.usage);
    }
    const failure = asCliError(error);
    console.error(`cairnctl: ${failure.message}`);
    process.exit(failure.exitCode);
  }
}

void main();
