import type { ClientMessage, ClientMessageType, Guess, HintInput } from '../../protocol/client-messages.js';
import { decodeFrame, encodeMessage } from '../../protocol/codec.js';
import { CloseCode, ErrorCode } from '../../protocol/codes.js';
import type { ErrorBody, ErrorMessage, Results, UpdateMessage, WelcomeMessage } from '../../protocol/server-messages.js';
import type { HuntSummary, PlayerView } from '../../protocol/views.js';
import { fullJitterDelay, overloadedReconnectDelay, overloadedRetryDelay, type BackoffOptions } from './backoff.js';
import { CairnConnectionError, CairnRequestError, ClientErrorCode } from './errors.js';
import { TypedEmitter } from './typed-emitter.js';
import {
  frameBytes,
  resolveWebSocket,
  type CloseEventLike,
  type MessageEventLike,
  type WebSocketConstructor,
  type WebSocketLike,
} from './websocket.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------


/** The longest retryAfterMs the client waits out by itself before retrying a request. */
export const MAX_AUTO_RETRY_WAIT_MS = 10_000;
export interface CairnClientLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface ReconnectOptions extends BackoffOptions {
  /** Reconnect automatically after an established connection drops. Default true. */
  readonly enabled: boolean;
}

export interface CairnClientOptions {
  /**
   * The gateway's WebSocket URL, e.g. `ws://127.0.0.1:7420/ws`; the token is added as `?token=`.
   * Several: the gateways of one cluster; after a socket is lost or cannot be opened, the next
   * connection tries the next URL, so a player whose node stops resumes on another.
   */
  readonly url: string | readonly string[];
  /** A JWT, or a function giving one (called before every connection attempt, so it may fetch a fresh one). */
  readonly token: string | (() => string | Promise<string>);
  /** A WHATWG-compatible WebSocket constructor. Default: globalThis.WebSocket, else the `ws` package. */
  readonly WebSocket?: WebSocketConstructor;
  /** How long one attempt of a request may take, including waiting for a connection. Default 10000. */
  readonly requestTimeoutMs?: number;
  /** How long opening a socket may take until the welcome frame. Default: requestTimeoutMs. */
  readonly connectTimeoutMs?: number;
  /** Default `{ enabled: true, initialDelayMs: 250, maxDelayMs: 15000 }`. */
  readonly reconnect?: Partial<ReconnectOptions>;
  /**
   * Retries of a command after retriable errors (timeout, unavailable, rate-limited, too-fast, overloaded...),
   * and connection attempts after a first connection the server refused with 1013. Default 5.
   */
  readonly maxRetries?: number;
  /** Waits between command retries when the server gives no retryAfterMs. Default `{ initialDelayMs: 100, maxDelayMs: 5000 }`. */
  readonly retryBackoff?: Partial<BackoffOptions>;
  /** Overrides the welcome's heartbeatMs. After 2 × heartbeatMs of silence the client pings; 0 disables. */
  readonly heartbeatMs?: number;
  /** A source of numbers in [0, 1) for jitter. Default Math.random. */
  readonly random?: () => number;
  /** Logs nothing unless given. */
  readonly logger?: CairnClientLogger;
}

export interface RequestOptions {
  /** This request's per-attempt timeout instead of requestTimeoutMs. */
  readonly timeoutMs?: number;
}

export type ClientState = 'idle' | 'connecting' | 'resubscribing' | 'ready' | 'reconnecting' | 'closed';

export interface ResumedEvent {
  readonly hunt: string;
  /** True when every missed update was replayed (as `update` events); false when `view` (or `summary`) replaces them. */
  readonly complete: boolean;
  readonly replayed: number;
  readonly updateSeq: number;
  /** A player's whole view, after a resync. */
  readonly view?: PlayerView;
  /** Staff: the hunt's summary after watching it again on a new connection (updates in between are not replayed). */
  readonly summary?: HuntSummary;
}

export interface CairnClientEvents {
  /** Every welcome frame (one per connection). */
  welcome: WelcomeMessage;
  /** The connection is usable: welcomed and, after a reconnect, subscriptions restored and pending requests resent. */
  connected: { readonly welcome: WelcomeMessage; readonly reconnected: boolean };
  /** A socket closed or failed (including failed connection attempts). */
  disconnected: { readonly code: number; readonly reason: string; readonly willReconnect: boolean };
  /** A reconnection attempt is scheduled after `delayMs`. */
  reconnecting: { readonly attempt: number; readonly delayMs: number; readonly code: number };
  /** An update of a hunt, never one already seen. */
  update: UpdateMessage;
  /** A resume (automatic after a reconnect, or asked for) or an automatic watch after a reconnect finished. */
  resumed: ResumedEvent;
  /** Restoring a subscription after a reconnect failed; non-retriable failures drop the subscription. */
  resumeFailed: { readonly hunt: string; readonly error: CairnRequestError };
  /** An error frame: a frame of ours the server could not read. */
  error: ErrorMessage;
  /** The server closed with 4001: get a new token, then call connect() again. */
  unauthorized: { readonly code: number; readonly reason: string };
}

type MessageOf<T extends ClientMessageType> = ClientMessage extends infer M
  ? M extends { readonly type: infer U }
    ? T extends U
      ? Omit<M, 'type'> & { readonly type: T }
      : never
    : never
  : never;

/** A request as passed to `request()`: without `id`; `commandId` and `issuedAt` optional (set once when missing, kept on every retry). */
export type RequestMessage<T extends ClientMessageType = ClientMessageType> =
  MessageOf<T> extends infer M
    ? M extends { readonly commandId: string }
      ? Omit<M, 'id' | 'commandId'> & { readonly commandId?: string }
      : Omit<M, 'id'>
    : never;

export interface SubscriptionInfo {
  readonly hunt: string;
  readonly as: 'player' | 'staff';
}

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

type Timer = ReturnType<typeof setTimeout>;

/** Message types that change a hunt and so carry a commandId. */
const IS_COMMAND: Readonly<Record<ClientMessageType, boolean>> = {
  ping: false,
  join: true,
  submit: true,
  hint: true,
  leave: true,
  resume: false,
  'admin.spawn': true,
  'admin.start': true,
  'admin.pause': true,
  'admin.resume': true,
  'admin.end': true,
  'admin.edit-clue': true,
  'admin.release-hint': true,
  'admin.announce': true,
  'admin.kick': true,
  'admin.status': false,
  'admin.watch': false,
  'shards.map': false,
  'shards.pin': false,
  'shards.unpin': false,
  'shards.drain': false,
  'shards.undrain': false,
};

const MAX_WIRE_ID = 2 ** 32 - 1;
/** Close code the client uses when it abandons a socket itself (heartbeat or welcome timeout). */
const CLIENT_ABANDON_CODE = 4000;
/** Code reported for sockets that failed without a close frame. */
const ABNORMAL_CLOSURE = 1006;

interface Op {
  readonly type: string;
  /** The message without `id` (and, for resume, without `after`: computed at each send). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly commandId: string | undefined;
  /** Internal requests (restoring subscriptions, heartbeat) go only on the current socket, never queued. */
  readonly internal: boolean;
  readonly autoRetry: boolean;
  readonly timeoutMs: number;
  /** resume only: the `after` the caller asked for. */
  readonly explicitAfter: number | undefined;
  retries: number;
  sends: number;
  id: number | undefined;
  timer: Timer | undefined;
  retryTimer: Timer | undefined;
  settled: boolean;
  resolve(result: unknown): void;
  reject(error: CairnRequestError): void;
}

interface Waiter {
  resolve(welcome: WelcomeMessage): void;
  reject(error: CairnConnectionError): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function newCommandId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  // Insecure browser contexts lack randomUUID: build a v4 UUID by hand.
  const bytes = new Uint8Array(16);
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function withToken(url: string, token: string): string {
  const u = new URL(url);
  u.searchParams.set('token', token);
  return u.toString();
}

function ignore(): void {}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/**
 * A Cairn game client: one WebSocket to the gateway, typed requests with timeouts and safe
 * retries (a command's commandId is generated once and reused on every retry and resend),
 * and automatic reconnection that resumes the hunts it follows without losing or repeating
 * updates.
 */
export class CairnClient {
  private readonly emitter: TypedEmitter<CairnClientEvents>;
  private readonly opts: {
    readonly requestTimeoutMs: number;
    readonly connectTimeoutMs: number;
    readonly reconnect: ReconnectOptions;
    readonly maxRetries: number;
    readonly retryBackoff: BackoffOptions;
    readonly heartbeatMs: number | undefined;
    readonly random: () => number;
  };
  private readonly logger: CairnClientLogger | undefined;

  private currentState: ClientState = 'idle';
  private socket: WebSocketLike | undefined;
  /** Bumped whenever a socket is opened or given up: callbacks of older sockets are ignored. */
  private generation = 0;
  /** Which of the URLs the next socket opens (see CairnClientOptions.url). */
  private urlIndex = 0;
  /** Whether the current session (connect() until giving up or close()) has been welcomed once. */
  private sessionWelcomed = false;
  private reconnectAttempt = 0;
  private reconnectTimer: Timer | undefined;
  private connectTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  private lastReceivedAt = 0;
  private lastWelcome: WelcomeMessage | undefined;
  /** The server's clock minus this one, as of the last welcome: commands' issuedAt is in server time. */
  private clockOffsetMs = 0;
  private nextWireId = 1;
  private waiters: Waiter[] = [];

  /** Every unsettled request. */
  private readonly ops = new Set<Op>();
  /** User requests waiting for a usable connection, in order. */
  private queue: Op[] = [];
  /** Requests sent on the current socket, by wire id. */
  private readonly inFlight = new Map<number, Op>();

  private readonly subs = new Map<string, 'player' | 'staff'>();
  /** The highest update number seen (or known) per hunt. */
  private readonly trackers = new Map<string, number>();
  /** The highest update number received per hunt on the current socket. */
  private readonly seenOnSocket = new Map<string, number>();

  constructor(private readonly options: CairnClientOptions) {
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.opts = {
      requestTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? requestTimeoutMs,
      reconnect: { enabled: true, initialDelayMs: 250, maxDelayMs: 15_000, ...options.reconnect },
      maxRetries: options.maxRetries ?? 5,
      retryBackoff: { initialDelayMs: 100, maxDelayMs: 5_000, ...options.retryBackoff },
      heartbeatMs: options.heartbeatMs,
      random: options.random ?? Math.random,
    };
    this.logger = options.logger;
    this.emitter = new TypedEmitter<CairnClientEvents>((error, event) => {
      if (this.logger) this.logger.warn('event listener threw', { event: String(event), error: errorText(error) });
      else
        queueMicrotask(() => {
          throw error;
        });
    });
  }

  // --- events ---------------------------------------------------------------------------------

  on<K extends keyof CairnClientEvents>(event: K, listener: (payload: CairnClientEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  once<K extends keyof CairnClientEvents>(event: K, listener: (payload: CairnClientEvents[K]) => void): () => void {
    return this.emitter.once(event, listener);
  }

  off<K extends keyof CairnClientEvents>(event: K, listener: (payload: CairnClientEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /** Resolves with the next payload of `event`. */
  next<K extends keyof CairnClientEvents>(event: K): Promise<CairnClientEvents[K]> {
    return this.emitter.next(event);
  }

  // --- state ----------------------------------------------------------------------------------

  get state(): ClientState {
    return this.currentState;
  }

  /** The latest welcome frame. Its `hunts` lists the hunts this player is in; resume the ones you want. */
  get welcome(): WelcomeMessage | undefined {
    return this.lastWelcome;
  }

  /** The highest update number seen of `hunt`: what a resume would start after. */
  lastUpdate(hunt: string): number | undefined {
    return this.trackers.get(hunt);
  }

  /** The hunts this client follows and restores after a reconnect. */
  subscriptions(): SubscriptionInfo[] {
    return [...this.subs].map(([hunt, as]) => ({ hunt, as }));
  }

  /** Stops following `hunt` locally (it is not resumed after a reconnect); the server is not told. */
  forget(hunt: string): void {
    this.subs.delete(hunt);
    this.trackers.delete(hunt);
  }

  // --- connection -----------------------------------------------------------------------------

  /**
   * Connects (or waits for the connection in progress). Resolves on the welcome frame. Rejects with a
   * CairnConnectionError if the first connection attempt fails or the server closes before welcoming
   * (e.g. code 4001); only an established connection is re-established automatically. The exception
   * is 1013 (overloaded): the server asked to come back later, so the client backs off and tries
   * again, up to maxRetries times, before rejecting with code 1013.
   */
  connect(): Promise<WelcomeMessage> {
    if ((this.currentState === 'ready' || this.currentState === 'resubscribing') && this.lastWelcome) {
      return Promise.resolve(this.lastWelcome);
    }
    const welcomed = new Promise<WelcomeMessage>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.currentState === 'idle' || this.currentState === 'closed') {
      this.sessionWelcomed = false;
      this.reconnectAttempt = 0;
      void this.openSocket();
    } else if (this.currentState === 'reconnecting') {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
      void this.openSocket();
    }
    return welcomed;
  }

  /**
   * Closes the connection (code 1000) and stops reconnecting. Pending requests reject with code
   * `closed`; subscriptions are forgotten. Resolves once the socket has closed (or after a short wait).
   */
  close(): Promise<void> {
    const socket = this.socket;
    const hadSession = this.currentState !== 'idle' && this.currentState !== 'closed';
    this.currentState = 'closed';
    this.generation += 1;
    this.clearConnectionTimers();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.socket = undefined;
    this.abandonInternalOps();
    this.failAll(new CairnConnectionError(CloseCode.normal, 'client closed'), 'the client was closed');
    this.subs.clear();
    this.trackers.clear();
    this.seenOnSocket.clear();
    if (hadSession) this.emitter.emit('disconnected', { code: CloseCode.normal, reason: 'client closed', willReconnect: false });
    if (!socket) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const fallback = setTimeout(resolve, Math.min(1_000, this.opts.requestTimeoutMs));
      socket.onmessage = null;
      // Keep an error handler: ws throws an 'error' event nobody listens to (e.g. closing while connecting).
      socket.onerror = ignore;
      socket.onopen = null;
      socket.onclose = () => {
        clearTimeout(fallback);
        resolve();
      };
      try {
        socket.close(CloseCode.normal, 'client closed');
      } catch {
        clearTimeout(fallback);
        resolve();
      }
    });
  }

  // --- requests -------------------------------------------------------------------------------

  /**
   * Sends one request and resolves with its result. Commands get a commandId (once) and are retried
   * with it after retriable errors and resent after reconnects. While disconnected the request waits
   * for the connection, bounded by its timeout.
   */
  request<T extends ClientMessageType>(message: RequestMessage<T> & { readonly type: T }, options?: RequestOptions): Promise<Results[T]> {
    return this.enqueue(message as unknown as Record<string, unknown>, options) as Promise<Results[T]>;
  }

  ping(): Promise<Results['ping']> {
    return this.request({ type: 'ping' });
  }

  join(hunt: string, options: { readonly team?: string; readonly displayName?: string } = {}): Promise<Results['join']> {
    return this.request({
      type: 'join',
      hunt,
      ...(options.team !== undefined ? { team: options.team } : {}),
      ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
    });
  }

  submit(hunt: string, clue: string, guess: Guess): Promise<Results['submit']> {
    return this.request({ type: 'submit', hunt, clue, guess });
  }

  hint(hunt: string, clue: string, index: number): Promise<Results['hint']> {
    return this.request({ type: 'hint', hunt, clue, hint: index });
  }

  leave(hunt: string): Promise<Results['leave']> {
    return this.request({ type: 'leave', hunt });
  }

  /**
   * Follows a hunt already joined and receives the updates after `after` (default: the last one
   * seen, else 0) as `update` events, then a `resumed` event.
   */
  resume(hunt: string, after?: number): Promise<Results['resume']> {
    return this.enqueue({ type: 'resume', hunt, ...(after !== undefined ? { after } : {}) }) as Promise<Results['resume']>;
  }

  spawn(hunt: string, definitionText: string): Promise<Results['admin.spawn']> {
    return this.request({ type: 'admin.spawn', hunt, definition: definitionText });
  }

  start(hunt: string): Promise<Results['admin.start']> {
    return this.request({ type: 'admin.start', hunt });
  }

  pause(hunt: string): Promise<Results['admin.pause']> {
    return this.request({ type: 'admin.pause', hunt });
  }

  /** Resumes a paused hunt (staff); see resume() for a player following a hunt again. */
  resumeHunt(hunt: string): Promise<Results['admin.resume']> {
    return this.request({ type: 'admin.resume', hunt });
  }

  end(hunt: string): Promise<Results['admin.end']> {
    return this.request({ type: 'admin.end', hunt });
  }

  editClue(
    hunt: string,
    clue: string,
    edit: { readonly title?: string; readonly text?: string; readonly hints?: readonly HintInput[] },
  ): Promise<Results['admin.edit-clue']> {
    return this.request({
      type: 'admin.edit-clue',
      hunt,
      clue,
      ...(edit.title !== undefined ? { title: edit.title } : {}),
      ...(edit.text !== undefined ? { text: edit.text } : {}),
      ...(edit.hints !== undefined ? { hints: edit.hints } : {}),
    });
  }

  releaseHint(hunt: string, clue: string, index: number): Promise<Results['admin.release-hint']> {
    return this.request({ type: 'admin.release-hint', hunt, clue, hint: index });
  }

  announce(hunt: string, message: string): Promise<Results['admin.announce']> {
    return this.request({ type: 'admin.announce', hunt, message });
  }

  kick(hunt: string, player: string, reason: string): Promise<Results['admin.kick']> {
    return this.request({ type: 'admin.kick', hunt, player, reason });
  }

  status(hunt: string): Promise<Results['admin.status']> {
    return this.request({ type: 'admin.status', hunt });
  }

  /** Staff: receive the hunt's staff updates; watched again automatically after a reconnect. */
  watch(hunt: string): Promise<Results['admin.watch']> {
    return this.request({ type: 'admin.watch', hunt });
  }

  /** Operator: where the cluster's shards live, with their load. */
  shardMap(): Promise<Results['shards.map']> {
    return this.request({ type: 'shards.map' });
  }

  /** Operator: move `shard` to `node` and keep it there; resolves with the plan version once every node will honour it. */
  pinShard(shard: number, node: string): Promise<Results['shards.pin']> {
    return this.request({ type: 'shards.pin', shard, node });
  }

  unpinShard(shard: number): Promise<Results['shards.unpin']> {
    return this.request({ type: 'shards.unpin', shard });
  }

  /** Operator: move every shard off `node`; its sockets are then closed with 1012. */
  drainNode(node: string): Promise<Results['shards.drain']> {
    return this.request({ type: 'shards.drain', node });
  }

  undrainNode(node: string): Promise<Results['shards.undrain']> {
    return this.request({ type: 'shards.undrain', node });
  }

  private enqueue(message: Record<string, unknown>, options?: RequestOptions): Promise<unknown> {
    const type = String(message.type);
    const { after, ...rest } = message;
    const isResume = type === 'resume';
    const body: Record<string, unknown> = isResume ? rest : { ...message };
    let commandId: string | undefined;
    if (IS_COMMAND[type as ClientMessageType] === true) {
      commandId = typeof body.commandId === 'string' ? body.commandId : newCommandId();
      body.commandId = commandId;
      // Stamped once, like the id, and resent unchanged: the server refuses a retry issued too
      // long ago (command-expired) instead of applying it a second time.
      if (typeof body.issuedAt !== 'number') body.issuedAt = Math.round(Date.now() + this.clockOffsetMs);
    }
    if (this.currentState === 'closed') {
      return Promise.reject(this.closedError(type, commandId, 'the client is closed'));
    }
    return this.run({
      type,
      body,
      commandId,
      internal: false,
      autoRetry: commandId !== undefined,
      timeoutMs: options?.timeoutMs ?? this.opts.requestTimeoutMs,
      explicitAfter: isResume && typeof after === 'number' ? after : undefined,
    });
  }

  /** A request on the current socket only (restoring subscriptions, heartbeat). */
  private internalRequest(body: Record<string, unknown>, options: { readonly timeoutMs: number; readonly autoRetry: boolean }): Promise<unknown> {
    return this.run({ type: String(body.type), body, commandId: undefined, internal: true, explicitAfter: undefined, ...options });
  }

  private run(init: Pick<Op, 'type' | 'body' | 'commandId' | 'internal' | 'autoRetry' | 'timeoutMs' | 'explicitAfter'>): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const op: Op = { ...init, retries: 0, sends: 0, id: undefined, timer: undefined, retryTimer: undefined, settled: false, resolve, reject };
      this.ops.add(op);
      this.startAttempt(op);
    });
  }

  private startAttempt(op: Op): void {
    op.retryTimer = undefined;
    op.timer = setTimeout(() => this.onAttemptTimeout(op), op.timeoutMs);
    if (op.internal) {
      if (this.socket && (this.currentState === 'resubscribing' || this.currentState === 'ready')) this.send(op);
      else this.settle(op, undefined, this.disconnectedError(op));
    } else if (this.currentState === 'ready' && this.socket) {
      this.send(op);
    } else {
      this.queue.push(op);
    }
  }

  private send(op: Op): void {
    const socket = this.socket;
    if (!socket) {
      this.queue.push(op);
      return;
    }
    const id = this.nextWireId;
    this.nextWireId = this.nextWireId >= MAX_WIRE_ID ? 1 : this.nextWireId + 1;
    const message: Record<string, unknown> = { ...op.body, id };
    if (op.type === 'resume') {
      const hunt = String(op.body.hunt);
      let after: number;
      if (op.sends === 0 && op.explicitAfter !== undefined) {
        after = op.explicitAfter;
        // Asked to replay from here: let the replayed updates through.
        this.trackers.set(hunt, after);
      } else {
        after = this.trackers.get(hunt) ?? op.explicitAfter ?? 0;
      }
      message.after = after;
    }
    op.id = id;
    op.sends += 1;
    this.inFlight.set(id, op);
    try {
      socket.send(encodeMessage(message));
    } catch (error) {
      // The socket is closing: its close event requeues the request.
      this.logger?.debug('send failed', { type: op.type, error: errorText(error) });
    }
  }

  private onAttemptTimeout(op: Op): void {
    op.timer = undefined;
    if (op.settled) return;
    this.detach(op);
    const error = new CairnRequestError(
      { code: ClientErrorCode.timeout, message: `no reply to ${op.type} within ${op.timeoutMs} ms`, retriable: true },
      { requestType: op.type, commandId: op.commandId },
    );
    this.failAttempt(op, error);
  }

  /** Retries a retriable failure of a retrying request, else rejects it. */
  private failAttempt(op: Op, error: CairnRequestError): void {
    const { retryBackoff, random } = this.opts;
    // A longer wait (a hunt with minutes between guesses) is the caller's to decide: a guess sent
    // that much later may no longer be what the player means.
    const waitable = error.code === ErrorCode.overloaded || (error.retryAfterMs ?? 0) <= MAX_AUTO_RETRY_WAIT_MS;
    if (op.autoRetry && error.retriable && waitable && op.retries < this.opts.maxRetries) {
      // Rate limits and too-fast are one player's own: their retryAfterMs is exact. Overload is
      // everyone's at once: spread the retries out so that they do not return as one burst.
      const delay =
        error.code === ErrorCode.overloaded
          ? overloadedRetryDelay(error.retryAfterMs ?? retryBackoff.initialDelayMs, op.retries, retryBackoff.maxDelayMs, random)
          : (error.retryAfterMs ?? fullJitterDelay(op.retries, retryBackoff, random));
      op.retries += 1;
      this.logger?.debug('retrying request', { type: op.type, code: error.code, attempt: op.retries, delayMs: delay });
      op.retryTimer = setTimeout(() => {
        if (!op.settled) this.startAttempt(op);
      }, delay);
      return;
    }
    this.settle(op, undefined, error);
  }

  /** Takes the request out of the queue and the in-flight table, and stops its attempt timer. */
  private detach(op: Op): void {
    clearTimeout(op.timer);
    op.timer = undefined;
    if (op.id !== undefined) {
      if (this.inFlight.get(op.id) === op) this.inFlight.delete(op.id);
      op.id = undefined;
    }
    const at = this.queue.indexOf(op);
    if (at >= 0) this.queue.splice(at, 1);
  }

  private settle(op: Op, result: unknown, error?: CairnRequestError): void {
    if (op.settled) return;
    op.settled = true;
    this.detach(op);
    clearTimeout(op.retryTimer);
    op.retryTimer = undefined;
    this.ops.delete(op);
    if (error) op.reject(error);
    else op.resolve(result);
  }

  private closedError(type: string, commandId: string | undefined, why: string): CairnRequestError {
    return new CairnRequestError({ code: ClientErrorCode.closed, message: why, retriable: false }, { requestType: type, commandId });
  }

  private disconnectedError(op: Op): CairnRequestError {
    return new CairnRequestError(
      { code: ClientErrorCode.disconnected, message: 'the connection dropped', retriable: true },
      { requestType: op.type, commandId: op.commandId },
    );
  }

  private failAll(connectionError: CairnConnectionError, why: string): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(connectionError);
    for (const op of [...this.ops]) this.settle(op, undefined, this.closedError(op.type, op.commandId, why));
    this.queue = [];
  }

  private abandonInternalOps(): void {
    for (const op of [...this.ops]) if (op.internal) this.settle(op, undefined, this.disconnectedError(op));
  }

  // --- socket lifecycle -----------------------------------------------------------------------

  private currentUrl(): string {
    const urls = typeof this.options.url === 'string' ? [this.options.url] : this.options.url;
    return urls[this.urlIndex % urls.length]!;
  }

  private async openSocket(): Promise<void> {
    this.generation += 1;
    const generation = this.generation;
    this.currentState = 'connecting';
    this.socket = undefined;
    let socket: WebSocketLike;
    try {
      const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
      const WebSocketImpl = await resolveWebSocket(this.options.WebSocket);
      if (generation !== this.generation) return;
      socket = new WebSocketImpl(withToken(this.currentUrl(), token));
    } catch (error) {
      if (generation !== this.generation) return;
      this.logger?.warn('could not open a socket', { error: errorText(error) });
      this.onSocketGone(ABNORMAL_CLOSURE, `could not connect: ${errorText(error)}`);
      return;
    }
    this.socket = socket;
    this.seenOnSocket.clear();
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.logger?.debug('socket open', { url: this.currentUrl() });
    socket.onerror = () => this.logger?.debug('socket error');
    socket.onmessage = (event: MessageEventLike) => {
      if (generation === this.generation) this.onFrame(event.data);
    };
    socket.onclose = (event: CloseEventLike) => {
      if (generation === this.generation) this.onSocketGone(event.code ?? ABNORMAL_CLOSURE, event.reason ?? '');
    };
    this.connectTimer = setTimeout(() => {
      if (generation === this.generation) this.abandonSocket('no welcome in time');
    }, this.opts.connectTimeoutMs);
  }

  /** Gives up on the current socket from this side (no welcome, heartbeat timeout) and handles the loss now. */
  private abandonSocket(reason: string): void {
    const socket = this.socket;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      socket.onopen = null;
      socket.onerror = ignore;
      try {
        // ws's terminate() drops a dead connection at once instead of waiting for a close handshake.
        const terminate = (socket as { terminate?: () => void }).terminate;
        if (typeof terminate === 'function') terminate.call(socket);
        else socket.close(CLIENT_ABANDON_CODE, reason);
      } catch {
        // already closed
      }
    }
    this.onSocketGone(ABNORMAL_CLOSURE, reason);
  }

  private clearConnectionTimers(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** The one place a lost socket (closed by either side, or never opened) is handled. */
  private onSocketGone(code: number, reason: string): void {
    this.generation += 1;
    this.urlIndex += 1;
    this.socket = undefined;
    this.clearConnectionTimers();
    this.abandonInternalOps();
    // Requests that were on the wire go first when the next connection is ready.
    const resend = [...this.inFlight.values()].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    this.inFlight.clear();
    for (const op of resend) op.id = undefined;
    this.queue = [...resend, ...this.queue];

    const terminal = code === CloseCode.unauthorized || code === CloseCode.policyViolation;
    const refusedAtFirst = code === CloseCode.tryAgainLater && !this.sessionWelcomed && this.reconnectAttempt < this.opts.maxRetries;
    const willReconnect = !terminal && this.opts.reconnect.enabled && (this.sessionWelcomed || refusedAtFirst);
    this.logger?.debug('socket gone', { code, reason, willReconnect });
    if (willReconnect) {
      const delayMs = this.reconnectDelay(code);
      this.reconnectAttempt += 1;
      this.currentState = 'reconnecting';
      this.emitter.emit('disconnected', { code, reason, willReconnect });
      if (this.currentState !== 'reconnecting') return; // a listener closed or reconnected
      this.emitter.emit('reconnecting', { attempt: this.reconnectAttempt, delayMs, code });
      if (this.currentState !== 'reconnecting') return;
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        if (this.currentState === 'reconnecting') void this.openSocket();
      }, delayMs);
      return;
    }
    this.currentState = 'closed';
    this.emitter.emit('disconnected', { code, reason, willReconnect });
    if (code === CloseCode.unauthorized) this.emitter.emit('unauthorized', { code, reason });
    // A listener may have called connect() again: leave that attempt alone.
    if (this.currentState !== 'closed') return;
    this.failAll(new CairnConnectionError(code, reason), `connection closed (${code}${reason ? `: ${reason}` : ''}), not reconnecting`);
  }

  private reconnectDelay(code: number): number {
    const { reconnect, random } = this.opts;
    // Restart: the server comes back at once; spread the reconnections a little.
    if (code === CloseCode.serviceRestart) {
      return fullJitterDelay(0, { initialDelayMs: Math.min(reconnect.initialDelayMs, reconnect.maxDelayMs), maxDelayMs: reconnect.maxDelayMs }, random);
    }
    // Overloaded: wait longer than after a dropped connection, and never close to zero.
    if (code === CloseCode.tryAgainLater) return overloadedReconnectDelay(this.reconnectAttempt, reconnect, random);
    return fullJitterDelay(this.reconnectAttempt, reconnect, random);
  }

  // --- frames ---------------------------------------------------------------------------------

  private onFrame(data: unknown): void {
    this.lastReceivedAt = Date.now();
    const bytes = frameBytes(data);
    if (!bytes) {
      this.logger?.warn('ignoring a frame that is not binary');
      return;
    }
    let message: unknown;
    try {
      message = decodeFrame(bytes);
    } catch (error) {
      this.logger?.warn('ignoring an undecodable frame', { error: errorText(error) });
      return;
    }
    if (!isRecord(message) || typeof message.type !== 'string') {
      this.logger?.warn('ignoring a frame without a type');
      return;
    }
    switch (message.type) {
      case 'welcome':
        this.onWelcome(message as unknown as WelcomeMessage);
        break;
      case 'reply':
        this.onReply(message);
        break;
      case 'update':
        this.onUpdate(message as unknown as UpdateMessage);
        break;
      case 'error':
        this.emitter.emit('error', message as unknown as ErrorMessage);
        break;
      default:
        this.logger?.debug('ignoring a frame of unknown type', { type: message.type });
    }
  }

  private onWelcome(welcome: WelcomeMessage): void {
    if (this.currentState !== 'connecting') {
      this.logger?.warn('ignoring a second welcome');
      return;
    }
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    const generation = this.generation;
    const reconnected = this.sessionWelcomed;
    this.sessionWelcomed = true;
    this.reconnectAttempt = 0;
    this.lastWelcome = welcome;
    if (typeof welcome.serverTime === 'number') this.clockOffsetMs = welcome.serverTime - Date.now();
    this.currentState = 'resubscribing';
    this.emitter.emit('welcome', welcome);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve(welcome);
    if (generation !== this.generation) return;
    this.startHeartbeat(generation);
    void this.restoreSubscriptions(generation).then(() => {
      if (generation !== this.generation || this.currentState !== 'resubscribing') return;
      this.currentState = 'ready';
      const queued = this.queue;
      this.queue = [];
      for (const op of queued) this.send(op);
      this.emitter.emit('connected', { welcome, reconnected });
    });
  }

  /** Resumes every followed player hunt and watches every followed staff hunt again, all at once. */
  private async restoreSubscriptions(generation: number): Promise<void> {
    const restoring = [...this.subs].map(async ([hunt, as]) => {
      try {
        await this.internalRequest(as === 'player' ? { type: 'resume', hunt } : { type: 'admin.watch', hunt }, {
          timeoutMs: this.opts.requestTimeoutMs,
          autoRetry: true,
        });
      } catch (error) {
        if (generation !== this.generation || !(error instanceof CairnRequestError)) return;
        this.logger?.warn('could not restore a subscription', { hunt, code: error.code });
        if (!error.retriable) this.subs.delete(hunt);
        this.emitter.emit('resumeFailed', { hunt, error });
      }
    });
    await Promise.all(restoring);
  }

  private onReply(message: Record<string, unknown>): void {
    const id = message.id;
    const op = typeof id === 'number' ? this.inFlight.get(id) : undefined;
    if (!op) {
      this.logger?.debug('ignoring a reply to no pending request', { id });
      return;
    }
    this.detach(op);
    if (message.ok === true) {
      this.track(op, message.result);
      this.settle(op, message.result);
      return;
    }
    const body = isRecord(message.error) ? (message.error as unknown as ErrorBody) : undefined;
    const error = new CairnRequestError(
      {
        code: typeof body?.code === 'string' ? body.code : ErrorCode.internal,
        message: typeof body?.message === 'string' ? body.message : 'request failed',
        retriable: body?.retriable === true,
        ...(typeof body?.retryAfterMs === 'number' ? { retryAfterMs: body.retryAfterMs } : {}),
        ...(body?.details !== undefined ? { details: body.details } : {}),
      },
      { requestType: op.type, commandId: op.commandId },
    );
    this.failAttempt(op, error);
  }

  /** Keeps subscriptions and update numbers in step with successful replies. */
  private track(op: Op, result: unknown): void {
    if (!isRecord(result)) return;
    const hunt = typeof op.body.hunt === 'string' ? op.body.hunt : undefined;
    if (hunt === undefined) return;
    switch (op.type) {
      case 'join': {
        const view = result.view as PlayerView | undefined;
        this.subs.set(hunt, 'player');
        if (typeof view?.updateSeq === 'number') this.applySnapshot(hunt, view.updateSeq);
        break;
      }
      case 'resume': {
        const r = result as unknown as Results['resume'];
        this.subs.set(hunt, 'player');
        if (r.resync) this.applySnapshot(hunt, r.updateSeq);
        else this.trackers.set(hunt, Math.max(this.trackers.get(hunt) ?? 0, r.updateSeq));
        this.emitter.emit('resumed', {
          hunt,
          complete: !r.resync,
          replayed: r.replayed,
          updateSeq: r.updateSeq,
          ...(r.view !== undefined ? { view: r.view } : {}),
        });
        break;
      }
      case 'admin.watch': {
        const summary = (result as unknown as Results['admin.watch']).summary;
        this.subs.set(hunt, 'staff');
        if (typeof summary?.updateSeq === 'number') this.applySnapshot(hunt, summary.updateSeq);
        if (op.internal) {
          this.emitter.emit('resumed', { hunt, complete: false, replayed: 0, updateSeq: summary?.updateSeq ?? 0, summary });
        }
        break;
      }
      case 'leave':
        this.subs.delete(hunt);
        this.trackers.delete(hunt);
        break;
      default:
    }
  }

  /**
   * A whole view as of update `updateSeq` replaces what was known; updates already received on
   * this socket past it stay counted, so they are not taken again.
   */
  private applySnapshot(hunt: string, updateSeq: number): void {
    this.trackers.set(hunt, Math.max(updateSeq, this.seenOnSocket.get(hunt) ?? updateSeq));
  }

  private onUpdate(message: UpdateMessage): void {
    if (typeof message.hunt !== 'string' || typeof message.update !== 'number') {
      this.logger?.warn('ignoring a malformed update frame');
      return;
    }
    const { hunt, update } = message;
    this.seenOnSocket.set(hunt, Math.max(this.seenOnSocket.get(hunt) ?? update, update));
    const last = this.trackers.get(hunt);
    if (last !== undefined && update <= last) {
      this.logger?.debug('dropping an update already seen', { hunt, update, last });
      return;
    }
    this.trackers.set(hunt, update);
    this.emitter.emit('update', message);
    if (Array.isArray(message.changes) && message.changes.some((change) => change.kind === 'kicked')) {
      this.subs.delete(hunt);
      this.trackers.delete(hunt);
    }
  }

  // --- heartbeat ------------------------------------------------------------------------------

  private startHeartbeat(generation: number): void {
    const heartbeatMs = this.opts.heartbeatMs ?? this.lastWelcome?.heartbeatMs ?? 0;
    if (!(heartbeatMs > 0)) return;
    const silenceMs = 2 * heartbeatMs;
    const check = (): void => {
      this.heartbeatTimer = undefined;
      if (generation !== this.generation) return;
      const quietFor = Date.now() - this.lastReceivedAt;
      if (quietFor < silenceMs) {
        this.heartbeatTimer = setTimeout(check, silenceMs - quietFor);
        return;
      }
      this.logger?.debug('no frame for a while: pinging', { quietForMs: quietFor });
      this.internalRequest({ type: 'ping' }, { timeoutMs: Math.min(this.opts.requestTimeoutMs, silenceMs), autoRetry: false }).then(
        () => {
          if (generation === this.generation) this.heartbeatTimer = setTimeout(check, silenceMs);
        },
        (error: unknown) => {
          if (generation !== this.generation) return;
          if (error instanceof CairnRequestError && error.code === ClientErrorCode.timeout) {
            this.logger?.warn('heartbeat ping timed out: reconnecting');
            this.abandonSocket('heartbeat timeout');
          } else {
            this.heartbeatTimer = setTimeout(check, silenceMs);
          }
        },
      );
    };
    this.heartbeatTimer = setTimeout(check, silenceMs);
  }
}

export function createCairnClient(options: CairnClientOptions): CairnClient {
  return new CairnClient(options);
}
