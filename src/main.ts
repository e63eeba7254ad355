/**
 * `npm start`: one Cairn process with everything embedded (SQLite journal, in-process buses).
 * Settings come from CAIRN_* environment variables (see README); none are required.
 */
import { loadConfig } from './config/load-config.js';
import { createLogger } from './observability/logger.js';
import { startCairnServer, type RunningServer } from './server/cairn-server.js';

async function main(): Promise<void> {
  const loaded = loadConfig();
  if (!loaded.ok) {
    console.error('Cairn cannot start: the configuration has problems:');
    for (const problem of loaded.problems) console.error(`  - ${problem}`);
    process.exit(2);
  }
  const config = loaded.config;
  const logger = createLogger(config.logLevel);
  if (!config.tokenSecret) {
    logger.warn('CAIRN_TOKEN_SECRET is not set: tokens are signed with the public development secret. Set it before letting anyone else connect.');
  }
  // Handlers go in before the server starts: a stop signal that arrives while it starts, or right
  // after it says it is ready, must still stop it gracefully.
  const running: { server?: RunningServer } = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const server = running.server;
    if (!server) {
      logger.info({ signal }, 'stopped before the server was up');
      process.exit(0);
    }
    logger.info({ signal }, 'stopping: finishing requests in flight, then closing sockets with 1012');
    try {
      await server.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const server = await startCairnServer(config, logger);
  running.server = server;
  logger.info({ ws: server.wsUrl, journal: server.journalPath }, 'cairn is ready');
  // The how-to-play lines are for a person at a terminal, not for log collectors.
  if (process.stderr.isTTY) printWelcome(server.wsUrl, server.httpUrl);
}

function printWelcome(wsUrl: string, httpUrl: string): void {
  process.stderr.write(`
  Cairn is listening on ${wsUrl}  (health: ${httpUrl}/healthz, metrics: ${httpUrl}/metrics)

  Play the example hunt, in a second terminal:
    npx cairnctl spawn examples/old-town-trail.yaml --hunt old-town
    npx cairnctl start old-town
    npx cairnctl play old-town --as alice
  Mint a token for your own client:
    npx cairnctl token --sub alice --role player

`);
}

main().catch((error: unknown) => {
  console.error('Cairn failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
