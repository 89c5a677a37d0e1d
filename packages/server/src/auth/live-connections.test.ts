import { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Access } from '../authz/access.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import type { Caller } from '../http/context.js';
import type { Logger } from '../runtime/logger.js';
import { LiveConnections } from './live-connections.js';

/** Users, groups and credential Secrets as the cache holds them, and what the registry listens to. */
function world() {
  const users = new Map<string, { spec: { disabled?: boolean } }>();
  const secrets = new Set<string>();
  const groups = new Map<string, string[]>();
  const cache = {
    informer: () => ({ on: () => () => undefined }),
    secrets: { on: () => () => undefined },
    get: (_kind: string, name: string) => users.get(name),
    secret: (name: string) => (secrets.has(name) ? {} : undefined),
  } as unknown as PlatformCache;
  const access = {
    principal: (user: string) => ({ user, groups: groups.get(user) ?? [] }),
  } as unknown as Access;
  const logger = { info: () => undefined } as unknown as Logger;
  const live = new LiveConnections({ cache, access, logger, unseenGraceMs: 1000, sweepMs: 0 });
  return { users, secrets, groups, live };
}

/** A request on a socket of its own, tracked as its caller; `destroyed` says whether the registry closed it. */
function open(
  live: LiveConnections,
  who: { user: string; id: string; groups?: string[]; upgrade?: boolean; expiresAt?: string },
) {
  const socket = Object.assign(new EventEmitter(), { destroyed: false, destroy: () => undefined });
  socket.destroy = () => {
    socket.destroyed = true;
    socket.emit('close');
  };
  const res = new EventEmitter();
  const req = {
    raw: { socket },
    headers: who.upgrade ? { upgrade: 'websocket' } : {},
  } as unknown as FastifyRequest;
  const caller: Caller = {
    user: who.user,
    groups: who.groups ?? [],
    credential: { id: who.id, kind: 'token', user: who.user, createdAt: '', expiresAt: who.expiresAt },
  };
  live.track(req, { raw: res } as unknown as FastifyReply, caller);
  return { socket, res };
}

describe('LiveConnections', () => {
  it('closes the connections of a disabled or deleted user, and of a revoked credential', () => {
    const w = world();
    for (const u of ['ann', 'bob', 'cat']) w.users.set(u, { spec: {} });
    for (const id of ['a1', 'b1', 'c1', 'c2']) w.secrets.add(`token-${id}`);
    const ann = open(w.live, { user: 'ann', id: 'a1', upgrade: true });
    const bob = open(w.live, { user: 'bob', id: 'b1' });
    const cat1 = open(w.live, { user: 'cat', id: 'c1' });
    const cat2 = open(w.live, { user: 'cat', id: 'c2' });
    expect(w.live.recheck()).toBe(0);
    w.users.set('ann', { spec: { disabled: true } });
    w.users.delete('bob');
    w.secrets.delete('token-c1');
    expect(w.live.recheck()).toBe(3);
    expect([ann, bob, cat1, cat2].map((c) => c.socket.destroyed)).toEqual([true, true, true, false]);
    expect(w.live.size).toBe(1);
  });

  it('closes the connections of a user who left a group they had when they opened them', () => {
    const w = world();
    w.users.set('ann', { spec: {} });
    w.secrets.add('token-a1');
    w.groups.set('ann', ['team', 'ops']);
    const c = open(w.live, { user: 'ann', id: 'a1', groups: ['team', 'ops'] });
    w.groups.set('ann', ['team', 'ops', 'new']);
    expect(w.live.recheck()).toBe(0);
    w.groups.set('ann', ['team', 'new']);
    expect(w.live.recheck()).toBe(1);
    expect(c.socket.destroyed).toBe(true);
  });

  it('forgets a request once it is answered, an upgrade once its socket closes', () => {
    const w = world();
    w.users.set('ann', { spec: {} });
    w.secrets.add('token-a1');
    const plain = open(w.live, { user: 'ann', id: 'a1' });
    const upgraded = open(w.live, { user: 'ann', id: 'a1', upgrade: true });
    expect(w.live.size).toBe(2);
    plain.res.emit('close');
    upgraded.socket.emit('close');
    expect(w.live.size).toBe(0);
    w.users.delete('ann');
    expect(w.live.recheck()).toBe(0);
    expect(plain.socket.destroyed).toBe(false);
  });

  it('closes the connections of an expired credential', () => {
    const w = world();
    w.users.set('ann', { spec: {} });
    w.secrets.add('token-a1');
    const now = Date.parse('2026-01-01T00:00:00Z');
    const c = open(w.live, { user: 'ann', id: 'a1', expiresAt: '2026-01-01T00:00:10Z' });
    expect(w.live.recheck(now + 9_999)).toBe(0);
    expect(w.live.recheck(now + 10_000)).toBe(1);
    expect(c.socket.destroyed).toBe(true);
  });

  it('waits for a credential the cache has not shown yet, for a while', () => {
    const w = world();
    w.users.set('ann', { spec: {} });
    const now = Date.now();
    const c = open(w.live, { user: 'ann', id: 'fresh' });
    expect(w.live.recheck(now + 500)).toBe(0);
    w.secrets.add('token-fresh');
    expect(w.live.recheck(now + 600)).toBe(0);
    w.secrets.delete('token-fresh');
    expect(w.live.recheck(now + 700)).toBe(1);
    expect(c.socket.destroyed).toBe(true);
    const never = open(w.live, { user: 'ann', id: 'never' });
    expect(w.live.recheck(now + 2000)).toBe(1);
    expect(never.socket.destroyed).toBe(true);
  });
});
