import path from 'node:path';
import tls from 'node:tls';
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
import { ClusterConnections } from './clusters/connections.js';
import { startLeaderWork } from './controllers/leader-work.js';
import { ensureServingCert } from './http/tls.js';
import { ensureCrds, ensureNamespace } from './kube/crds.js';
import { management, PlatformObjects } from './kube/management.js';
import { LeaderElector } from './runtime/leader.js';

export type ServerConfig = {
  /** The management cluster (default: the usual kubeconfig lookup). */
  kubeconfig?: string;
  namespace: string;
  host: string;
  port: number;
  /** HTTPS listener for kubectl and helm (they send tokens only over TLS); 0 picks a free port. */
  tlsPort: number;
  /** Extra host names or IPs for the serving certificate. */
  tlsHosts: string[];
  /** The https URL clients reach this server at (kubeconfigs); default https://<request host>:<tlsPort>. */
  publicUrl?: string;
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
  tlsPort: 8443,
  tlsHosts: [],
  dataDir: path.resolve('.shipyard'),
  auditRetentionDays: 180,
  sessionTtlSeconds: 12 * 3600,
  secureCookies: false,
  logLevel: 'info',
};

export type RunningServer = {
  url: string;
  /** The HTTPS listener: kubectl and helm use it through kubeconfigs from /api/v1/clusters/{c}/kubeconfig. */
  tlsUrl: string;
  /** PEM of the CA that signed the HTTPS listener's certificate. */
  ca: string;
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
  const serving = await ensureServingCert(
    m,
    [config.host, ...config.tlsHosts].filter((h) => h !== '0.0.0.0' && h !== '::'),
  );
  let tlsPort = config.tlsPort;
  const app = await buildApp({
    cache,
    hub,
    access,
    credentials,
    objects,
    audit,
    connections: new ClusterConnections(m, cache),
    kubeconfigServer: (hostname) => config.publicUrl ?? `https://${hostname}:${tlsPort}`,
    ca: serving.ca,
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
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  // TLS terminates here and the same HTTP server handles the decrypted connection.
  const tlsServer = tls.createServer(
    { cert: serving.cert, key: serving.key, ALPNProtocols: ['http/1.1'] },
    (socket) => app.server.emit('connection', socket),
  );
  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject);
    tlsServer.listen(config.tlsPort, config.host, () => resolve());
  });
  const tlsAddress = tlsServer.address();
  tlsPort = typeof tlsAddress === 'object' && tlsAddress ? tlsAddress.port : config.tlsPort;
  let stopping: Promise<void> | undefined;
  return {
    url,
    tlsUrl: `https://${host}:${tlsPort}`,
    ca: serving.ca,
    app,
    adminPassword,
    isLeader: () => elector.isLeader,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise((resolve) => tlsServer.close(resolve));
        await app.close();
        await elector.stop({ release: true });
        await stopRetention();
        await cache.stop();
        hub.close();
        await auditDb.close();
      })()),
  };
}
