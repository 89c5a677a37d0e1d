/**
 * What becomes of an error on an open WebSocket of any route (@fastify/websocket's errorHandler): that socket
 * closes, the server goes on. A client that breaks the WebSocket protocol (bad UTF-8, a frame over the size
 * limit, a bad opcode) was already answered by ws with the close code that says so (1007, 1009, 1002): it is
 * the client's fault and is logged as a warning. Anything else is a bug of ours (a handler that threw): logged
 * as an error, and the socket closes with 1011. Never a credential: the request's headers are not logged.
 */
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';

/** ws tags the errors of a peer that broke the protocol with a WS_ERR_* code. */
function isProtocolError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('WS_ERR_');
}

export function websocketErrorHandler(err: Error, socket: WebSocket, req: FastifyRequest): void {
  if (isProtocolError(err)) {
    req.log.warn({ err: err.message, url: req.routeOptions.url }, 'a WebSocket client broke the protocol');
    socket.terminate();
    return;
  }
  req.log.error({ err, url: req.routeOptions.url }, 'a WebSocket handler failed; closing its socket');
  if (socket.readyState === socket.OPEN) {
    socket.close(1011, 'internal error');
    // A client that does not answer the close is cut after a while, as ws would (30 s) but sooner.
    setTimeout(() => socket.terminate(), 5_000).unref();
  } else {
    socket.terminate();
  }
}
