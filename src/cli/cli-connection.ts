import { CairnConnectionError, CairnRequestError, createCairnClient, type CairnClient } from '../client/index.js';
import { DEV_TOKEN_SECRET } from '../auth/dev-secret.js';
import { mintToken, type Role } from '../auth/tokens.js';

export interface ConnectionOptions {
  readonly url: string;
  readonly token?: string;
  readonly secret?: string;
}

export const DEFAULT_URL = 'ws://127.0.0.1:7420/ws';

/** Exit codes: 1 the server refused, 2 bad usage or input, 3 the server could not be reached, 4 a wait timed out. */
export const ExitCode = { refused: 1, usage: 2, unreachable: 3, timeout: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The token to use: the one given, else one minted with the secret (the development secret by default). */
export async function tokenFor(options: ConnectionOptions, subject: string, role: Role, name?: string): Promise<string> {
  if (options.token) return options.token;
  return mintToken(options.secret ?? process.env.CAIRN_TOKEN_SECRET ?? DEV_TOKEN_SECRET, { subject, role, ...(name ? { name } : {}) }, 24 * 3600);
}

/** Connects, runs `work`, closes; turns failures into CliErrors with the right exit code. */
export async function withClient<T>(url: string, token: string, work: (client: CairnClient) => Promise<T>): Promise<T> {
  const client = createCairnClient({ url, token, reconnect: { enabled: false }, maxRetries: 2 });
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    if (error instanceof CairnConnectionError && error.code === 4001) {
      throw new CliError(`the server refused the token: ${error.message}`, ExitCode.refused);
    }
    throw new CliError(`cannot reach Cairn at ${url}: ${(error as Error).message} (is the server running? start it with \`npm start\`)`, ExitCode.unreachable);
  }
  try {
    return await work(client);
  } catch (error) {
    throw asCliError(error);
  } finally {
    await client.close().catch(() => undefined);
  }
}

export function asCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof CairnRequestError) {
    const details = (error.details ?? []).map((d) => `\n  ${d.line !== undefined ? `line ${d.line}: ` : ''}${d.path}: ${d.message}`).join('');
    return new CliError(`${error.code}: ${error.message}${details}`, ExitCode.refused);
  }
  return new CliError((error as Error).message ?? String(error), ExitCode.refused);
}
