import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { Access } from '../authz/access.js';
import { callerOf } from '../http/context.js';
import type { ChangeHub } from '../cache/changes.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import { mayWatch } from './watch-access.js';
import { keyRe, maxMessageBytes, maxSubscriptions, parseClientMessage, usage } from './watch-messages.js';

export type WatchDeps = { hub: ChangeHub; cache: PlatformCache; access: Access };

/** A socket that sent this many messages the server refused is closed (1008): no client of ours sends any. */
const maxRefusedMessages = 20;

/**
 * GET /api/v1/watch (WebSocket): the browser's one live channel. It sends {"subscribe": ["management/tenants"]}
 * and gets {"changed": "management/tenants"} (debounced) when that list changes, then refetches it. Messages
 * are parsed by schema (watch-messages.ts): a bad one gets {"error"} and the socket stays; after
 * maxRefusedMessages bad ones it is closed with 1008. A key the caller may not read (watch-access.ts) gets
 * {"error", "key"} and no subscription, and a subscription whose reader lost the right is dropped when its
 * list next changes. A handler that throws closes its socket with 1011 and is logged; the server goes on.
 */
export function registerWatchRoutes(app: FastifyInstance, deps: WatchDeps): void {
  const { hub } = deps;
  app.get('/api/v1/watch', { websocket: true, schema: { tags: ['watch'] } }, (socket, req) => {
    const user = callerOf(req).user;
    const subscriptions = new Map<string, () => void>();
    let refusedMessages = 0;
    const send = (msg: object): void => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
    };
    const fail = (err: unknown): void => closeOnError({ socket, req, err });
    const refuse = (error: string): void => {
      send({ error });
      if (++refusedMessages >= maxRefusedMessages) socket.close(1008, 'too many invalid messages');
    };
    const changed = (key: string): void => {
      try {
        if (mayWatch(deps, user, key)) return send({ changed: key });
        // The reader lost the right to this list since subscribing: the subscription goes.
        subscriptions.get(key)?.();
        subscriptions.delete(key);
        send({ error: `"${key}": not allowed`, key });
      } catch (err) {
        fail(err);
      }
    };
    const onMessage = (data: RawData, isBinary: boolean): void => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
      if (bytes.length > maxMessageBytes) return socket.close(1009, 'message too big');
      if (isBinary) return refuse(`binary messages are not taken; ${usage}`);
      const parsed = parseClientMessage(bytes.toString('utf8'));
      if (!parsed.ok) return refuse(parsed.error);
      const { subscribe = [], unsubscribe = [] } = parsed.msg;
      // A key that is not <cluster>/<plural> is a malformed message: refused whole, nothing of it done.
      const malformed = [...unsubscribe, ...subscribe].find((key) => !keyRe.test(key));
      if (malformed !== undefined) return refuse(`"${malformed}" is not <cluster>/<plural>`);
      for (const key of unsubscribe) {
        subscriptions.get(key)?.();
        subscriptions.delete(key);
      }
      for (const key of subscribe) {
        if (subscriptions.has(key)) continue;
        if (!mayWatch(deps, user, key)) {
          send({ error: `"${key}": not allowed`, key });
          continue;
        }
        if (subscriptions.size >= maxSubscriptions) {
          send({ error: `at most ${maxSubscriptions} subscriptions` });
          break;
        }
        subscriptions.set(key, hub.subscribe(key, changed));
      }
      send({ subscribed: [...subscriptions.keys()] });
    };
    socket.on('message', (data: RawData, isBinary: boolean) => {
      try {
        onMessage(data, isBinary);
      } catch (err) {
        fail(err);
      }
    });
    socket.on('close', () => {
      for (const off of subscriptions.values()) off();
      subscriptions.clear();
      req.log.debug('watch closed');
    });
  });
}

/** A handler failed: its socket closes with 1011, the error is logged (never a credential), the server goes on. */
function closeOnError(opts: { socket: WebSocket; req: FastifyRequest; err: unknown }): void {
  opts.req.log.error({ err: opts.err }, 'watch handler failed; closing its socket');
  if (opts.socket.readyState === opts.socket.OPEN) opts.socket.close(1011, 'internal error');
}
