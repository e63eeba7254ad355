import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, PROTOCOL_VERSION } from '../../protocol/codes.js';
import type { WelcomeMessage } from '../../protocol/server-messages.js';
import { InvalidToken, type Identity } from '../auth/tokens.js';
import type { GatewayContext } from './gateway-context.js';
import { connectionRefusedWhenOverloaded } from './overload-guard.js';
import { Session } from './session.js';
import { WriteBatcher } from './write-batcher.js';

export interface GatewayOptions {
  readonly ctx: GatewayContext;
  readonly verifyToken: (token: string) => Promise<Identity>;
  readonly maxFrameBytes: number;
  /** The hunts a player is in, for the welcome frame. */
  readonly huntsOf: (playerId: string) => Promise<WelcomeMessage['hunts']>;
}

/** The WebSocket side of a Cairn node: authenticates connections and runs a Session for each. */
/** At most one log line per this many ms about refused tokens. */
const REFUSALS_LOGGED_EVERY_MS = 10_000;

/** The peer's address, for the log (behind a proxy, the proxy's). */
const remoteAddressOf = (socket: Duplex): string | undefined => (socket as Duplex & { remoteAddress?: string }).remoteAddress;

export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private readonly heartbeat: NodeJS.Timeout;
  private accepting = true;
  private readonly writes = new WriteBatcher();
  /** Refused tokens are logged at most once per REFUSALS_LOGGED_EVERY_MS, with how many went unlogged. */
  private readonly refusals = { loggedAt: 0, unlogged: 0 };

  constructor(private readonly options: GatewayOptions) {
    // No client tracking: `sessions` holds every socket that matters, and ws's own set would cost
    // an entry and a close listener per socket.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    this.heartbeat = setInterval(() => this.beat(), options.ctx.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  get connections(): number {
    return this.sessions.size;
  }

  /** Takes an HTTP upgrade request for the WebSocket path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.accepting) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n\r\n');
      return;
    }
    const token = tokenOf(request);
    // Clients (browsers among them) cannot read an HTTP status from a refused upgrade, so the
    // handshake completes and a bad token is answered with close code 4001 and its reason.
    const identity = token ? this.options.verifyToken(token) : Promise.reject(new InvalidToken('missing token'));
    identity.catch(() => undefined);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, socket, identity));
  }

  /** Stops taking connections; sockets already open carry on. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Takes connections again (a drained node back in service). */
  resumeAccepting(): void {
    this.accepting = true;
  }

  /**
   * Waits up to `graceMs` for requests in flight, then closes every socket with `code`, except
   * those whose role `spare` keeps; the gateway stays up (a drained node tells its players to go
   * elsewhere).
   */
  async closeSessions(code: number, reason: string, graceMs: number, spare: (role: string) => boolean = () => false): Promise<void> {
    const closing = [...this.sessions].filter((s) => !spare(s.identity.role));
    const deadline = Date.now() + graceMs;
    while (closing.some((s) => s.busy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const session of closing) session.close(code, reason);
  }

  /** Stops taking connections, closes every socket (see closeSessions) and stops for good. */
  async closeAll(code: number, reason: string, graceMs: number): Promise<void> {
    this.stopAccepting();
    await this.closeSessions(code, reason, graceMs);
    clearInterval(this.heartbeat);
    this.wss.close();
  }

  /**
   * Runs a new connection. Handlers are attached at once: a client may send its first request
   * right after the handshake, before the token check has finished, and that frame must wait for
   * the session rather than be lost.
   */
  private accept(ws: WebSocket, socket: Duplex, identity: Promise<Identity>): void {
    const { ctx } = this.options;
    let session: Session | undefined;
    let queue: Promise<unknown> = identity.then(
      (who) => {
        if (ws.readyState !== ws.OPEN) return;
        if (!this.accepting) {
          ws.close(CloseCode.serviceRestart, 'server restarting: reconnect and resume');
          return;
        }
        // Refused after the handshake, not with an HTTP status: a browser's WebSocket can read a
        // close code but not why an upgrade failed. Nothing is spent on it: no session, no welcome.
        const overloaded = connectionRefusedWhenOverloaded(who.role) ? ctx.overload.refusal() : undefined;
        if (overloaded) {
          ctx.metrics.overloadRefusals.inc({ what: 'connection' });
          ws.close(CloseCode.tryAgainLater, `server overloaded: reconnect in ${overloaded.retryAfterMs} ms or later, then resume`);
          return;
        }
        session = new Session(ws, who, ctx, socket, this.writes);
        this.sessions.add(session);
        ctx.metrics.connections.inc();
        return this.welcome(session);
      },
      (error: unknown) => {
        const reason = error instanceof InvalidToken ? error.message : 'invalid token';
        this.noteRefusedToken(reason, remoteAddressOf(socket));
        ws.close(CloseCode.unauthorized, reason);
      },
    );
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      // Requests start in arrival order; their replies may finish in any order.
      queue = queue.then(() => void session?.receive(data, isBinary));
    });
    ws.on('pong', () => {
      if (session) session.alive = true;
    });
    ws.on('error', (error) => ctx.logger.debug({ err: error, subject: session?.identity.subject }, 'socket error'));
    ws.on('close', () => {
      if (!session) return;
      this.sessions.delete(session);
      ctx.metrics.connections.dec();
      session.dispose();
    });
  }

  /**
   * A refused token in the log, without the token: a few mean a misconfigured client, a flood an
   * attack, and the log must not turn into the flood, so lines are spaced out and count the rest.
   */
  private noteRefusedToken(reason: string, remote: string | undefined): void {
    const now = Date.now();
    if (now - this.refusals.loggedAt < REFUSALS_LOGGED_EVERY_MS) {
      this.refusals.unlogged += 1;
      return;
    }
    this.options.ctx.logger.info({ reason, remote, refusedSinceLastLine: this.refusals.unlogged }, 'refused a connection: bad token');
    this.refusals.loggedAt = now;
    this.refusals.unlogged = 0;
  }

  private async welcome(session: Session): Promise<void> {
    const { subject, role } = session.identity;
    let hunts: WelcomeMessage['hunts'] = [];
    if (role === 'player') {
      try {
        hunts = await this.options.huntsOf(subject);
      } catch (error) {
        // An empty list would tell the client it is in no hunt: better to have it come back.
        this.options.ctx.logger.warn({ err: error, subject }, 'could not read the player record for the welcome');
        session.close(CloseCode.tryAgainLater, 'your player record is unavailable: reconnect shortly');
        return;
      }
    }
    session.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      subject,
      role,
      heartbeatMs: this.options.ctx.limits.heartbeatMs,
      serverTime: this.options.ctx.now(),
      hunts,
    });
  }

  /** Pings every socket; one that did not answer the previous ping is dropped. */
  private beat(): void {
    for (const session of this.sessions) session.heartbeat();
  }
}

function tokenOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const url = new URL(request.url ?? '/', 'http://localhost');
  return url.searchParams.get('token') ?? undefined;
}
