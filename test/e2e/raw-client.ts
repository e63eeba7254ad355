import { WebSocket } from 'ws';
import { decodeFrame, encodeMessage } from '../../protocol/codec.js';
import type { ErrorBody, ServerMessage, UpdateMessage, WelcomeMessage } from '../../protocol/server-messages.js';

/** One frame a raw client received, in arrival order. */
export interface ReceivedFrame {
  /** Position among the frames this client received. */
  readonly index: number;
  readonly bytes: Buffer;
  readonly binary: boolean;
  /** The decoded message; undefined when the frame did not decode (which the server must never send). */
  readonly message: ServerMessage | undefined;
  readonly decodeError?: string;
  /** A label the test set when the frame arrived (see `phase`). */
  readonly phase: number;
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

export type Reply =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: Record<string, unknown> }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: ErrorBody };

/** Anything a client may put in a frame: the wire format is checked by the server, not here. */
export type Outgoing = Record<string, unknown>;

export const wsUrlWithToken = (wsUrl: string, token: string | undefined): string =>
  token === undefined ? wsUrl : `${wsUrl}?token=${encodeURIComponent(token)}`;

/**
 * A bare WebSocket client speaking the Cairn protocol by hand: it records every frame it
 * receives (raw bytes and decoded), and can send anything at all, valid or not.
 */
export class RawClient {
  readonly frames: ReceivedFrame[] = [];
  readonly closed: Promise<Closed>;
  /** Set by tests to label the frames that arrive from now on. */
  phase = 0;
  private nextId = 1;
  private readonly waiters = new Set<() => void>();
  private closedWith: Closed | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      let message: ServerMessage | undefined;
      let decodeError: string | undefined;
      try {
        message = decodeFrame(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as ServerMessage;
      } catch (error) {
        decodeError = (error as Error).message;
      }
      this.frames.push({ index: this.frames.length, bytes, binary: isBinary, message, phase: this.phase, ...(decodeError ? { decodeError } : {}) });
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        this.closedWith = { code, reason: reason.toString() };
        resolve(this.closedWith);
        this.wake();
      });
    });
    // Errors (e.g. ECONNRESET when the server dies) end in 'close' too.
    ws.on('error', () => undefined);
  }

  /** Opens a socket (the token as `?token=` unless `headers` carry one) and waits until it is open. */
  static async open(wsUrl: string, token?: string, options: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<RawClient> {
    const ws = new WebSocket(wsUrlWithToken(wsUrl, token), { headers: options.headers ?? {}, perMessageDeflate: false });
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection to ${wsUrl} in time`)), options.timeoutMs ?? 10_000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return client;
  }

  /** Opens a socket and waits for the welcome frame. */
  static async connect(wsUrl: string, token: string): Promise<RawClient> {
    const client = await RawClient.open(wsUrl, token);
    const welcome = await client.welcome();
    if (welcome.type !== 'welcome') throw new Error(`expected a welcome, got ${JSON.stringify(welcome)}`);
    return client;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get closeInfo(): Closed | undefined {
    return this.closedWith;
  }

  /** Decoded messages received so far, in order. */
  get messages(): ServerMessage[] {
    return this.frames.flatMap((f) => (f.message ? [f.message] : []));
  }

  get updates(): UpdateMessage[] {
    return this.messages.filter((m): m is UpdateMessage => m.type === 'update');
  }

  welcome(timeoutMs = 10_000): Promise<WelcomeMessage> {
    return this.waitFor((m): m is WelcomeMessage => m.type === 'welcome', { timeoutMs });
  }

  /** Sends bytes as they are (binary by default; `binary: false` sends a text frame). */
  sendRaw(data: Uint8Array | string, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary });
  }

  /** Encodes `message` as msgpack and sends it, without adding anything. */
  send(message: unknown): void {
    this.sendRaw(encodeMessage(message));
  }

  /** A fresh request id. */
  id(): number {
    return this.nextId++;
  }

  /** Sends `message` with a fresh `id` (unless it has one) and resolves with its reply. */
  async request(message: Outgoing, timeoutMs = 10_000): Promise<Reply> {
    const id = typeof message.id === 'number' ? message.id : this.id();
    const from = this.frames.length;
    this.send({ ...message, id });
    const reply = await this.waitFor((m) => m.type === 'reply' && m.id === id, { from, timeoutMs });
    return reply as unknown as Reply;
  }

  /** Sends a request and returns its result; throws when the reply is an error. */
  async ok(message: Outgoing, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const reply = await this.request(message, timeoutMs);
    if (!reply.ok) throw new Error(`${String(message.type)} failed: ${reply.error.code}: ${reply.error.message}`);
    return reply.result;
  }

  /** Sends a request that must fail and returns its error body. */
  async fails(message: Outgoing, timeoutMs = 10_000): Promise<ErrorBody> {
    const reply = await this.request(message, timeoutMs);
    if (reply.ok) throw new Error(`${String(message.type)} should have failed, got ${JSON.stringify(reply.result)}`);
    return reply.error;
  }

  /** A ping round trip: every frame the server sent this socket before it is here afterwards. */
  async sync(timeoutMs = 10_000): Promise<void> {
    await this.ok({ type: 'ping' }, timeoutMs);
  }

  /** The first message from index `from` on that matches, waiting for it. */
  async waitFor<T extends ServerMessage>(
    match: (m: ServerMessage) => m is T,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<T>;
  async waitFor(match: (m: ServerMessage) => boolean, options?: { from?: number; timeoutMs?: number }): Promise<ServerMessage>;
  async waitFor(match: (m: ServerMessage) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<ServerMessage> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    let cursor = options.from ?? 0;
    for (;;) {
      for (; cursor < this.frames.length; cursor++) {
        const message = this.frames[cursor]!.message;
        if (message && match(message)) return message;
      }
      if (this.closedWith) throw new Error(`socket closed (${this.closedWith.code} ${this.closedWith.reason}) before the awaited frame arrived`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('the awaited frame did not arrive in time');
      await this.sleepUntilWoken(left);
    }
  }

  /** Waits until `check()` holds (re-checked whenever a frame arrives or the socket closes); false after `timeoutMs`. */
  async until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.sleepUntilWoken(left);
    }
    return true;
  }

  /** Resolves with the close code and reason, or rejects after `timeoutMs`. */
  async waitClosed(timeoutMs = 10_000): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the socket was not closed in time')), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes from this side (1000) and waits for the close to finish. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.terminate();
    } else {
      this.ws.close(1000, 'test done');
    }
    await this.waitClosed(5_000).catch(() => this.ws.terminate());
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private sleepUntilWoken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
