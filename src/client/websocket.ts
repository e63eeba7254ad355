/**
 * The part of the WHATWG WebSocket API the client uses, so that browsers' WebSocket, Node 22's
 * global WebSocket and the `ws` package all fit. Handler parameters are typed `never` here so
 * that any implementation's handler types are accepted; the client narrows what it receives.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** readyState values of the WHATWG API. */
export const ReadyState = { connecting: 0, open: 1, closing: 2, closed: 3 } as const;

/** What the client reads from message and close events. */
export interface MessageEventLike {
  readonly data: unknown;
}
export interface CloseEventLike {
  readonly code?: number;
  readonly reason?: string;
}

/**
 * The constructor to use: the one given, else `globalThis.WebSocket` (browsers, Node 22+), else
 * the `ws` package loaded on demand (Node 20). The specifier is held in a variable so that
 * browser bundlers do not try to bundle `ws`.
 */
export async function resolveWebSocket(given?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (given) return given;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof global === 'function') return global;
  const specifier = 'ws';
  const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as {
    default?: WebSocketConstructor;
    WebSocket?: WebSocketConstructor;
  };
  const ctor = mod.WebSocket ?? mod.default;
  if (typeof ctor !== 'function') throw new Error('no WebSocket implementation: pass options.WebSocket');
  return ctor;
}

/** The bytes of a binary frame as delivered with binaryType 'arraybuffer' (or a Node Buffer); undefined for text. */
export function frameBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((part) => ArrayBuffer.isView(part))) {
    // ws with binaryType 'fragments'
    const parts = data as ArrayBufferView[];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      at += p.byteLength;
    }
    return out;
  }
  return undefined;
}
