/**
 * The baseline as a load target: a raw `ws` echo server (bench/echo-server.ts) and one socket per
 * player that sends a submit-shaped msgpack frame of Cairn's average request size and waits for
 * it to come back. No game, no state: what the transport alone costs.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import WebSocket from 'ws';
import { decodeFrame, encodeMessage } from '../protocol/codec.js';
import { startBenchServer, type BenchServer } from './bench-server.js';
import { ROOT } from './cairn-process.js';
import type { LoadTarget, TargetContext } from './load-target.js';
import { bump } from './player-script.js';

/** When no Cairn run measured it: about what the SDK's submit frames weigh. */
export const DEFAULT_REQUEST_BYTES = 150;

/** A submit message padded to `bytes` when encoded (ids of the size a per-connection counter has). */
function echoMessage(bytes: number): (id: number) => Record<string, unknown> {
  const make = (pad: number) => (id: number) => ({
    type: 'submit',
    id,
    hunt: 'bench-1',
    commandId: randomUUID(),
    clue: 'fountain',
    guess: { kind: 'answer', text: 'x'.repeat(pad) },
  });
  let pad = 1;
  while (encodeMessage(make(pad)(50)).byteLength < bytes && pad < 60_000) pad += 1;
  return make(pad);
}

export function echoTarget(context: TargetContext, requestBytes = DEFAULT_REQUEST_BYTES): LoadTarget {
  const { run, cleanups } = context;
  const { stats, phase } = run;
  const message = echoMessage(requestBytes);
  let server: BenchServer | undefined;

  return {
    name: 'echo',
    async start() {
      server = await startBenchServer('echo', ['--import', 'tsx', path.join(ROOT, 'bench/echo-server.ts')], {
        cwd: ROOT,
        env: process.env,
        isReady: (line) => line.msg === 'echo ready',
        cleanups,
      });
      context.log(`echo: frames of ${encodeMessage(message(50)).byteLength} bytes`);
      return server;
    },
    open: (_index, _hunt, onDrop) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(String(server!.ready.ws), { perMessageDeflate: false });
        let nextId = 1;
        let opened = false;
        let waiting: (() => void) | undefined;
        const settle = () => {
          const done = waiting;
          waiting = undefined;
          done?.();
        };
        ws.on('message', (data: Buffer) => {
          decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
          settle();
        });
        ws.on('error', () => undefined);
        ws.on('close', (code) => {
          if (opened) onDrop(String(code));
          settle();
          reject(new Error(`connect: close ${code}`));
        });
        ws.on('open', () => {
          opened = true;
          resolve({
            act: (t0 = performance.now()) =>
              new Promise<void>((done) => {
                const measured = phase.measuring;
                if (measured) stats.issuedInWindow += 1;
                waiting = () => {
                  if (ws.readyState === WebSocket.OPEN) {
                    if (measured) run.allLatency.record(t0);
                    if (phase.measuring) stats.repliesInWindow += 1;
                  } else {
                    bump(stats.errorsTotal, 'closed');
                    if (measured) bump(stats.errorsSteady, 'closed');
                  }
                  done();
                };
                // A closed socket drops what it is given: settle at once, as a failure.
                if (ws.readyState === WebSocket.OPEN) ws.send(encodeMessage(message(nextId++)));
                else settle();
              }),
            close: async () => {
              ws.close();
            },
          });
        });
      }),
  };
}
