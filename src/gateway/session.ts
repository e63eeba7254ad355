import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { encodeMessage } from '../../protocol/codec.js';
import { CloseCode, ErrorCode } from '../../protocol/codes.js';
import type { ClientMessage } from '../../protocol/client-messages.js';
import { parseClientMessage } from '../../protocol/parse-client-message.js';
import { roleOf } from '../../protocol/schemas.js';
import type { ErrorBody, ServerMessage } from '../../protocol/server-messages.js';
import type { Identity } from '../auth/tokens.js';
import type { GatewayContext } from './gateway-context.js';
import type { HuntReplica } from './hunt-replica.js';
import { RequestError } from './request-error.js';
import { handleRequest } from './handle-request.js';
import type { WriteBatcher } from './write-batcher.js';
import { refusedWhenOverloaded } from './overload-guard.js';

/** More malformed frames than this within ABUSE_WINDOW_MS closes the connection (1008). */
const MAX_BAD_FRAMES = 50;
const ABUSE_WINDOW_MS = 10_000;

interface Subscription {
  readonly as: 'player' | 'staff';
  readonly replica: HuntReplica;
  readonly stop: () => void;
}

/** One WebSocket connection: its identity, its hunt subscriptions, and its requests in flight. */
export class Session {
  private readonly subscriptions = new Map<string, Subscription>();
  private badFrames: number[] = [];
  private inFlight = 0;
  private closed = false;
  alive = true;

  constructor(
    private readonly ws: WebSocket,
    readonly identity: Identity,
    readonly ctx: GatewayContext,
    /** The socket under `ws`, whose writes `writes` batches per turn of the event loop. */
    private readonly socket: Duplex,
    private readonly writes: WriteBatcher,
  ) {}

  /** Called every heartbeat interval: drops a socket that did not answer the last ping. */
  heartbeat(): void {
    if (!this.alive) {
      this.ws.terminate();
      this.dispose();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  async receive(data: Buffer, isBinary: boolean): Promise<void> {
    if (!isBinary) return this.rejectFrame({ code: ErrorCode.malformedFrame, message: 'frames must be binary (msgpack)', retriable: false });
    const parsed = parseClientMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (!parsed.ok) {
      if (parsed.id === undefined) return this.rejectFrame(parsed.error);
      this.ctx.metrics.rejections.inc({ code: parsed.error.code });
      this.send({ type: 'reply', id: parsed.id, ok: false, error: parsed.error });
      return this.noteBadFrame();
    }
    const message = parsed.message;
    this.ctx.metrics.framesIn.inc({ type: message.type });
    const started = performance.now();
    // Asked before this request counts as in flight, so that it is judged by the work already running.
    const overloaded = refusedWhenOverloaded(message) ? this.ctx.overload.refusal() : undefined;
    this.inFlight += 1;
    this.ctx.overload.started();
    try {
      if (!roleOf(message.type).includes(this.identity.role)) {
        throw new RequestError(ErrorCode.forbidden, `${message.type} is not allowed for the ${this.identity.role} role`);
      }
      if (overloaded) {
        this.ctx.metrics.overloadRefusals.inc({ what: 'command' });
        const { retryAfterMs } = overloaded;
        throw new RequestError(ErrorCode.overloaded, `server overloaded: retry in ${retryAfterMs} ms with the same commandId`, true, { retryAfterMs });
      }
      const result = await handleRequest(this, message);
      this.send({ type: 'reply', id: message.id, ok: true, result } as ServerMessage);
    } catch (error) {
      this.replyError(message, error);
    } finally {
      this.inFlight -= 1;
      this.ctx.overload.finished();
      this.ctx.metrics.commandSeconds.observe({ type: message.type }, (performance.now() - started) / 1000);
    }
  }

  send(message: ServerMessage): boolean {
    if (this.closed) return false;
    return this.sendFrame(encodeMessage(message), message.type);
  }

  /** Sends an encoded frame and counts it by type; see `write`. */
  sendFrame(frame: Uint8Array, type: ServerMessage['type']): boolean {
    if (!this.write(frame)) return false;
    this.ctx.metrics.framesOut.inc({ type });
    return true;
  }

  /**
   * Sends an encoded frame unless the socket's send buffer is over the limit: then the reader is
   * too slow, and is cut off. Uncounted: live updates are counted per event by the replicas.
   */
  private write(frame: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.ws.bufferedAmount + frame.byteLength > this.ctx.limits.maxSendBufferBytes) {
      this.ctx.metrics.slowConsumers.inc();
      this.close(CloseCode.slowConsumer, 'send buffer full: read faster, then reconnect and resume');
      return false;
    }
    this.writes.hold(this.socket);
    this.ws.send(frame);
    return true;
  }

  isSubscribed(huntId: string): boolean {
    return this.subscriptions.has(huntId);
  }

  /** The replica behind this socket's subscription to `huntId`, if any. */
  subscription(huntId: string): HuntReplica | undefined {
    return this.subscriptions.get(huntId)?.replica;
  }

  /**
   * Pushes the hunt's updates to this socket from now on: for a player, the changes that concern
   * them; for staff, the staff changes. `replica` must have been acquired; the session releases it.
   */
  subscribe(huntId: string, replica: HuntReplica, as: 'player' | 'staff'): void {
    // The socket closed while the request was in flight: nobody will ever release this replica.
    if (this.closed) {
      this.ctx.replicas.release(huntId);
      return;
    }
    this.subscriptions.get(huntId)?.stop();
    const subject = this.identity.subject;
    const audience = as === 'staff' ? ({ as } as const) : ({ as, playerId: subject } as const);
    const stopListening = replica.subscribe(audience, (event, frame) => {
      this.write(frame);
      if (event.type === 'player-kicked' && event.playerId === subject) this.unsubscribe(huntId);
    });
    this.subscriptions.set(huntId, {
      as,
      replica,
      stop: () => {
        stopListening();
        this.ctx.replicas.release(huntId);
      },
    });
  }

  unsubscribe(huntId: string): void {
    this.subscriptions.get(huntId)?.stop();
    this.subscriptions.delete(huntId);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    this.dispose();
  }

  /** Drops every subscription; called when the socket closes, whoever closed it. */
  dispose(): void {
    this.closed = true;
    for (const huntId of [...this.subscriptions.keys()]) this.unsubscribe(huntId);
  }

  private replyError(message: ClientMessage, error: unknown): void {
    const retriable = (error as { retriable?: unknown } | undefined)?.retriable === true;
    const body: ErrorBody =
      error instanceof RequestError
        ? error.body
        : retriable
          ? { code: ErrorCode.unavailable, message: 'storage is unavailable: retry with the same commandId', retriable: true }
          : { code: ErrorCode.internal, message: 'internal error', retriable: true };
    if (!(error instanceof RequestError) && !retriable) this.ctx.logger.error({ err: error, type: message.type }, 'request failed');
    this.ctx.metrics.rejections.inc({ code: body.code });
    this.send({ type: 'reply', id: message.id, ok: false, error: body });
  }

  private rejectFrame(error: ErrorBody): void {
    this.ctx.metrics.rejections.inc({ code: error.code });
    this.send({ type: 'error', error });
    this.noteBadFrame();
  }

  private noteBadFrame(): void {
    const now = this.ctx.now();
    this.badFrames = this.badFrames.filter((at) => now - at < ABUSE_WINDOW_MS);
    this.badFrames.push(now);
    if (this.badFrames.length > MAX_BAD_FRAMES) this.close(CloseCode.policyViolation, 'too many invalid frames');
  }
}
