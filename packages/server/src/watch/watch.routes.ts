import type { FastifyInstance } from 'fastify';
import type { ChangeHub } from '../cache/changes.js';

type ClientMessage = { subscribe?: string[]; unsubscribe?: string[] };
const keyRe = /^[a-z0-9-]{1,63}\/[a-z0-9.-]{1,253}$/;
const maxSubscriptions = 256;
const maxMessageBytes = 64 * 1024;

/**
 * GET /api/v1/watch (WebSocket): the browser's one live channel. It sends {"subscribe": ["management/tenants"]}
 * and gets {"changed": "management/tenants"} (debounced) when that list changes, then refetches it.
 */
export function registerWatchRoutes(app: FastifyInstance, hub: ChangeHub): void {
  app.get('/api/v1/watch', { websocket: true, schema: { tags: ['watch'] } }, (socket, req) => {
    const subscriptions = new Map<string, () => void>();
    const send = (msg: object) => socket.send(JSON.stringify(msg));
    socket.on('message', (data: Buffer) => {
      if (data.length > maxMessageBytes) return socket.close(1009, 'message too big');
      let msg: ClientMessage;
      try {
        msg = JSON.parse(data.toString('utf8')) as ClientMessage;
      } catch {
        return send({ error: 'messages are JSON: {"subscribe": ["<cluster>/<plural>"]}' });
      }
      for (const key of msg.unsubscribe ?? []) {
        subscriptions.get(key)?.();
        subscriptions.delete(key);
      }
      for (const key of msg.subscribe ?? []) {
        if (typeof key !== 'string' || !keyRe.test(key))
          return send({ error: `"${String(key)}" is not <cluster>/<plural>` });
        if (subscriptions.has(key)) continue;
        if (subscriptions.size >= maxSubscriptions)
          return send({ error: `at most ${maxSubscriptions} subscriptions` });
        subscriptions.set(
          key,
          hub.subscribe(key, (changed) => send({ changed })),
        );
      }
      send({ subscribed: [...subscriptions.keys()] });
    });
    socket.on('close', () => {
      for (const off of subscriptions.values()) off();
      subscriptions.clear();
      req.log.debug('watch closed');
    });
  });
}
