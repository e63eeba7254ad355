import { WebSocket } from 'ws';
import { decodeFrame } from '../../protocol/codec.js';
import type { ServerMessage, UpdateMessage } from '../../protocol/server-messages.js';
import {
  createCairnClient,
  type CairnClient,
  type CairnClientEvents,
  type CairnClientOptions,
  type ResumedEvent,
  type WebSocketConstructor,
} from '../../src/client/index.js';
import type { Role } from '../../src/auth/tokens.js';
import { tokenFor } from './server-process.js';

/** Every frame an SDK client's sockets received, decoded, in arrival order (across reconnects). */
export interface RecordedFrame {
  readonly bytes: Buffer;
  readonly message: ServerMessage;
  /** Which socket of the client it came on (1, 2, ... after reconnects). */
  readonly socket: number;
}

/**
 * A `ws` WebSocket that records every frame it receives before the SDK sees it: listeners run in
 * the order they were added, and this one is added in the constructor, before the SDK's.
 */
export function recordingWebSocket(log: RecordedFrame[]): WebSocketConstructor {
  let sockets = 0;
  class RecordingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { perMessageDeflate: false });
      const socket = ++sockets;
      this.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        log.push({ bytes, message: decodeFrame(new Uint8Array(bytes)) as ServerMessage, socket });
      });
    }
  }
  return RecordingWebSocket as unknown as WebSocketConstructor;
}

/** An SDK client with everything it received and emitted written down. */
export interface TestClient {
  readonly client: CairnClient;
  readonly subject: string;
  readonly frames: RecordedFrame[];
  /** `update` events the SDK emitted (not necessarily every update frame: it drops repeats). */
  readonly updates: UpdateMessage[];
  readonly resumed: ResumedEvent[];
  readonly disconnects: CairnClientEvents['disconnected'][];
  /** Updates of `hunt` the SDK emitted, optionally only those after update `after`. */
  updatesOf(hunt: string, after?: number): UpdateMessage[];
  close(): Promise<void>;
}

export async function connectClient(
  wsUrl: string | readonly string[],
  subject: string,
  role: Role = 'player',
  options: Partial<Omit<CairnClientOptions, 'url' | 'token' | 'WebSocket'>> & { readonly name?: string; readonly connect?: boolean } = {},
): Promise<TestClient> {
  const { name, connect = true, ...clientOptions } = options;
  const token = await tokenFor(subject, role, name);
  const frames: RecordedFrame[] = [];
  const client = createCairnClient({
    url: wsUrl,
    token,
    WebSocket: recordingWebSocket(frames),
    requestTimeoutMs: 10_000,
    maxRetries: 2,
    ...clientOptions,
  });
  const updates: UpdateMessage[] = [];
  const resumed: ResumedEvent[] = [];
  const disconnects: CairnClientEvents['disconnected'][] = [];
  client.on('update', (u) => updates.push(u));
  client.on('resumed', (r) => resumed.push(r));
  client.on('disconnected', (d) => disconnects.push(d));
  if (connect) await client.connect();
  return {
    client,
    subject,
    frames,
    updates,
    resumed,
    disconnects,
    updatesOf: (hunt, after = 0) => updates.filter((u) => u.hunt === hunt && u.update > after),
    close: () => client.close(),
  };
}

/** Polls `check` until it returns true (or a value other than false/undefined), or fails after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | false | undefined, what: string, timeoutMs = 10_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== false && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** GET `url`; resolves with the status and body text. */
export async function httpGet(url: string, init: RequestInit = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text(), headers: response.headers };
}
