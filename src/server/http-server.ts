import http from 'node:http';
import type { Registry } from 'prom-client';
import type { Gateway } from '../gateway/gateway.js';
import type { Readiness } from './readiness.js';

export interface HttpRoutesOptions {
  readonly gateway: Gateway;
  readonly registry: Registry;
  /**
   * Whether to serve, asked on every `/readyz`: not while starting, stopping or unable to store
   * commands, so that load balancers move traffic away.
   */
  readonly readiness: () => Readiness;
  readonly wsPath?: string;
  /** Where this node stands in the cluster, for `/cluster` (JSON). */
  readonly cluster?: () => object;
}

/**
 * `/healthz` (the process is up), `/readyz` (it serves), `/metrics` (Prometheus), `/cluster` (the
 * shards this node owns) and the WebSocket path.
 */
export function createHttpServer(options: HttpRoutesOptions): http.Server {
  const wsPath = options.wsPath ?? '/ws';
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET') return reply(response, 405, 'method not allowed\n');
    if (path === '/healthz') return reply(response, 200, 'ok\n');
    if (path === '/readyz') {
      const { ready, reasons } = options.readiness();
      return ready ? reply(response, 200, 'ready\n') : reply(response, 503, `not ready: ${reasons.join('; ')}\n`);
    }
    if (path === '/metrics') {
      options.registry
        .metrics()
        .then((text) => reply(response, 200, text, options.registry.contentType))
        .catch(() => reply(response, 500, 'metrics unavailable\n'));
      return;
    }
    if (path === '/cluster' && options.cluster) return reply(response, 200, `${JSON.stringify(options.cluster())}\n`, 'application/json');
    if (path === wsPath) return reply(response, 426, 'use a WebSocket connection here\n');
    reply(response, 404, 'not found\n');
  });
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== wsPath) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    options.gateway.handleUpgrade(request, socket, head);
  });
  return server;
}

function reply(response: http.ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(body);
}
