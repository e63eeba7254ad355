/**
 * The baseline of the player benchmark: a raw `ws` server that sends every frame straight back,
 * with the same transport settings as Cairn's gateway (no permessage-deflate, 64 KiB max frame).
 * Listens on 127.0.0.1 and a free port (or ECHO_PORT) and prints one JSON line when ready:
 *   {"msg":"echo ready","ws":"ws://127.0.0.1:PORT/"}
 *
 *   node --import tsx bench/echo-server.ts
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.ECHO_PORT ?? 0),
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
  backlog: 4096,
});

wss.on('connection', (ws) => {
  ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => undefined);
});

wss.on('listening', () => {
  const { port } = wss.address() as AddressInfo;
  console.log(JSON.stringify({ msg: 'echo ready', ws: `ws://127.0.0.1:${port}/` }));
});

const stop = () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
