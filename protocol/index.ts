/** The wire contract between the Cairn server and its clients. See docs/protocol.md. */
export type * from './client-messages.js';
export type * from './server-messages.js';
export type * from './views.js';
export { CloseCode, DefaultLimits, ErrorCode, PROTOCOL_VERSION } from './codes.js';
export { decodeFrame, encodeMessage, MAX_FRAME_DEPTH } from './codec.js';
export { parseClientMessage, type ParseResult } from './parse-client-message.js';
export { CLIENT_MESSAGE_TYPES, clientMessageSchema, isClientMessageType, FieldLimits, roleOf } from './schemas.js';
