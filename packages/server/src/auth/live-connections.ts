import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Access } from '../authz/access.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import type { Caller } from '../http/context.js';
import type { Logger } from '../runtime/logger.js';
import { credentialSecretName } from './credentials.js';

/**
 * Every authenticated request while it lasts — and so every long one: a kube watch or `logs -f` through the
 * proxy, an exec/attach/port-forward session spliced to a cluster, a `/api/v1/watch` WebSocket — with the
 * user, credential and groups it was authorized with. Whenever Users, Groups or the credential Secrets change
 * (this replica learns it from its informers, as every replica does), each is checked again, and the
 * connection of a user who is gone or disabled, whose credential was revoked (a password change, sign-out,
 * token deletion), or who lost a group they had when it opened, is closed: revocation reaches what is already
 * open, on every replica, within a moment. A sweep every half minute closes those whose credential expired.
 */
type Entry = {
  socket: Socket;
  caller: Caller;
  credentialSecret: string;
  /** Whether the informer has held the credential's Secret (a session made a moment ago may not be there yet). */
  seen: boolean;
  openedAt: number;
};

export type LiveConnectionsOptions = {
  cache: PlatformCache;
  access: Access;
  logger: Logger;
  /** How long after the changes to check again (they come in bursts). */
  settleMs?: number;
  /** A credential the informer has never shown is taken as revoked after this long. */
  unseenGraceMs?: number;
  /** Checked again this often without any change too: credentials expire (default 30 s; 0: never). */
  sweepMs?: number;
};

export class LiveConnections {
  private readonly entries = new Set<Entry>();
  private readonly offs: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly sweep: NodeJS.Timeout | undefined;

  constructor(private readonly opts: LiveConnectionsOptions) {
    const changed = () => this.schedule();
    this.offs.push(
      opts.cache.informer('User').on('change', changed),
      opts.cache.informer('Group').on('change', changed),
      opts.cache.secrets.on('delete', changed),
      opts.cache.secrets.on('add', changed),
    );
    const sweepMs = opts.sweepMs ?? 30_000;
    if (sweepMs > 0) this.sweep = setInterval(() => this.recheck(), sweepMs).unref();
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Tracks an authenticated request until it ends: an upgrade (exec, a WebSocket) until its socket closes,
   * any other request until its answer is sent or its client goes.
   */
  track(req: FastifyRequest, reply: FastifyReply, caller: Caller): void {
    const socket = req.raw.socket;
    const credentialSecret = credentialSecretName(caller.credential.kind, caller.credential.id);
    const entry: Entry = {
      socket,
      caller,
      credentialSecret,
      seen: this.opts.cache.secret(credentialSecret) !== undefined,
      openedAt: Date.now(),
    };
    this.entries.add(entry);
    const done = () => this.entries.delete(entry);
    if (req.headers.upgrade) socket.once('close', done);
    else reply.raw.once('close', done);
  }

  /** Closes what no longer holds; returns how many it closed. */
  recheck(now = Date.now()): number {
    let closed = 0;
    const groupsNow = new Map<string, Set<string>>();
    for (const entry of this.entries) {
      const why = this.revoked(entry, now, groupsNow);
      if (!why) continue;
      this.entries.delete(entry);
      closed++;
      this.opts.logger.info(
        { user: entry.caller.user, credential: entry.caller.credential.id, why },
        'closing a live connection: its access was revoked',
      );
      entry.socket.destroy();
    }
    return closed;
  }

  close(): void {
    clearTimeout(this.timer);
    clearInterval(this.sweep);
    for (const off of this.offs.splice(0)) off();
    this.entries.clear();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.recheck();
    }, this.opts.settleMs ?? 50);
  }

  private revoked(entry: Entry, now: number, groupsNow: Map<string, Set<string>>): string | undefined {
    const { user, groups } = entry.caller;
    const u = this.opts.cache.get('User', user);
    if (!u) return 'the user was deleted';
    if (u.spec.disabled) return 'the user was disabled';
    const expiresAt = entry.caller.credential.expiresAt;
    if (expiresAt && Date.parse(expiresAt) <= now) return 'the credential expired';
    if (this.opts.cache.secret(entry.credentialSecret)) entry.seen = true;
    else if (entry.seen || now - entry.openedAt > (this.opts.unseenGraceMs ?? 60_000)) {
      return 'the credential was revoked';
    }
    let current = groupsNow.get(user);
    if (!current) {
      current = new Set(this.opts.access.principal(user).groups);
      groupsNow.set(user, current);
    }
    const lost = groups.find((g) => !current.has(g));
    return lost ? `the user left group "${lost}"` : undefined;
  }
}
