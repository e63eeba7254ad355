/**
 * The Cairn client SDK: a typed WebSocket client for game front ends, tools and tests. It
 * depends only on the wire contract in protocol/ and runs in browsers and Node.
 *
 * ```ts
 * const client = createCairnClient({ url: 'ws://127.0.0.1:7420/ws', token: () => fetchToken() });
 * client.on('update', (u) => applyChanges(u.hunt, u.changes));
 * client.on('resumed', (r) => { if (!r.complete && r.view) replaceView(r.hunt, r.view); });
 * const welcome = await client.connect();
 * for (const { hunt } of welcome.hunts) await client.resume(hunt, savedUpdate(hunt)); // the app decides
 * const { view } = await client.join('spring-hunt', { displayName: 'Ada' });
 * const outcome = await client.submit('spring-hunt', 'clue-1', { kind: 'answer', text: 'oak' });
 * await client.close();
 * ```
 */
export {
  CairnClient,
  createCairnClient,
  type CairnClientEvents,
  type CairnClientLogger,
  type CairnClientOptions,
  type ClientState,
  type ReconnectOptions,
  type RequestMessage,
  type RequestOptions,
  type ResumedEvent,
  type SubscriptionInfo,
} from './cairn-client.js';
export { CairnConnectionError, CairnRequestError, ClientErrorCode, type ErrorDetails } from './errors.js';
export { backoffCeiling, fullJitterDelay, overloadedReconnectDelay, overloadedRetryDelay, type BackoffOptions } from './backoff.js';
export { TypedEmitter, type Listener } from './typed-emitter.js';
export { resolveWebSocket, type WebSocketConstructor, type WebSocketLike } from './websocket.js';
export type * from '../../protocol/client-messages.js';
export type * from '../../protocol/server-messages.js';
export type * from '../../protocol/views.js';
export { CloseCode, ErrorCode, PROTOCOL_VERSION } from '../../protocol/codes.js';
