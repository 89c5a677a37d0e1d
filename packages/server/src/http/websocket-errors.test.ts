import type { FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { websocketErrorHandler } from './websocket-errors.js';

function fakes() {
  const log = { warn: vi.fn(), error: vi.fn() };
  const req = { log, routeOptions: { url: '/api/v1/watch' } } as unknown as FastifyRequest;
  const socket = { OPEN: 1, readyState: 1, close: vi.fn(), terminate: vi.fn() };
  return { log, req, socket, ws: socket as unknown as WebSocket };
}

describe('websocketErrorHandler', () => {
  it('closes a socket whose handler failed with 1011 and logs the error as one', () => {
    const { log, req, socket, ws } = fakes();
    websocketErrorHandler(new TypeError("Cannot read properties of null (reading 'subscribe')"), ws, req);
    expect(socket.close).toHaveBeenCalledWith(1011, 'internal error');
    expect(log.error).toHaveBeenCalledWith(
      expect.objectContaining({ err: expect.any(TypeError), url: '/api/v1/watch' }),
      expect.stringContaining('handler failed'),
    );
  });

  it('logs a client that broke the WebSocket protocol as a warning and cuts it (ws already said why)', () => {
    const { log, req, socket, ws } = fakes();
    const err = Object.assign(new RangeError('Invalid WebSocket frame: invalid UTF-8 sequence'), {
      code: 'WS_ERR_INVALID_UTF8',
    });
    websocketErrorHandler(err, ws, req);
    expect(socket.terminate).toHaveBeenCalled();
    expect(log.error).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledWith(
      { err: err.message, url: '/api/v1/watch' },
      'a WebSocket client broke the protocol',
    );
  });
});
