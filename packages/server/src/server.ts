import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { openAuditDb } from './audit/db.js';
import { AuditStore } from './audit/audit.store.js';
import { CredentialStore } from './auth/credentials.js';
import { defaultLoginGuard, LoginGuard, type LoginGuardOptions } from './auth/login-guard.js';
import { Access } from './authz/access.js';
import { buildApp } from './app.js';
import { ensureAdmin, ensureBuiltinTemplates } from './bootstrap.js';
import { ChangeHub } from './cache/changes.js';
import { PlatformCache } from './cache/platform-cache.js';
import { startLeaderWork } from './controllers/leader-work.js';
import { ensureCrds, ensureNamespace } from './kube/crds.js';
import { management, PlatformObjects } from './kube/management.js';
import { LeaderElector } from './runtime/leader.js';

export type ServerConfig = {
  /** The management cluster (default: the usual kubeconfig lookup). */
  kubeconfig?: string;
  namespace: string;
  host: string;
  port: number;
  /** Embedded PGlite lives under dataDir/audit unless databaseUrl names a PostgreSQL. */
  dataDir: string;
  databaseUrl?: string;
  auditRetentionDays: number;
  adminPassword?: string;
  sessionTtlSeconds: number;
  secureCookies: boolean;
  logLevel: string;
  loginGuard?: LoginGuardOptions;
  /** Replica identity in the leader Lease (default: host name + random). */
  identity?: string;
};

export const defaultConfig: ServerConfig = {
  namespace: 'shipyard-system',
  host: '127.0.0.1',
  port: 8080,
  dataDir: path.resolve('.shipyard'),
  auditRetentionDays: 180,
  sessionTtlSeconds: 12 * 3600,
  secureCookies: false,
  logLevel: 'info',
};

export type RunningServer = {
  url: string;
  app: FastifyInstance;
  /** Set when this start created the admin user: print it once. */
  adminPassword?: string;
  isLeader: () => boolean;
  stop: () => Promise<void>;
};

/** Connects to the management cluster, converges CRDs and built-ins, and serves. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const logger = pino({ name: 'shipyard', level: config.logLevel });
  const m = management({ kubeconfig: config.kubeconfig, namespace: config.namespace });
  const objects = new PlatformObjects(m);
  await ensureNamespace(m, objects);
  await ensureCrds(m, objects);

  const hub = new ChangeHub();
  const cache = new PlatformCache(m, hub, logger);
  const auditDb = await openAuditDb(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: path.join(config.dataDir, 'audit') },
  );
  const audit = new AuditStore(auditDb);
  const stopRetention = audit.startRetention({
    days: config.auditRetentionDays,
    onError: (err) => logger.error({ err }, 'audit retention failed'),
  });
  await cache.synced();
  const credentials = new CredentialStore(m.kc.makeApiClient(CoreV1Api), m.namespace, cache.secrets);
  await ensureBuiltinTemplates(objects);
  const adminPassword = await ensureAdmin({ objects, credentials, password: config.adminPassword });

  const access = new Access(cache);
  const app = await buildApp({
    cache,
    hub,
    access,
    credentials,
    objects,
    audit,
    guard: new LoginGuard(config.loginGuard ?? defaultLoginGuard),
    sessionTtlSeconds: config.sessionTtlSeconds,
    secureCookies: config.secureCookies,
    logLevel: config.logLevel,
    ready: () => cache.hasSynced,
  });

  let stopLeaderWork: (() => Promise<void>) | undefined;
  const elector = new LeaderElector({
    kubeConfig: m.kc,
    cluster: m.cluster,
    namespace: m.namespace,
    name: 'shipyard-controllers',
    identity: config.identity,
    logger,
    onStartedLeading: () => {
      stopLeaderWork = startLeaderWork({ cache, objects, credentials, logger });
    },
    onStoppedLeading: async () => {
      await stopLeaderWork?.();
      stopLeaderWork = undefined;
    },
  });
  elector.start();

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    app,
    adminPassword,
    isLeader: () => elector.isLeader,
    stop: () =>
      (stopping ??= (async () => {
        await app.close();
        await elector.stop({ release: true });
        await stopRetention();
        await cache.stop();
        hub.close();
        await auditDb.close();
      })()),
  };
}
