import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { CoreV1Api } from '@kubernetes/client-node';
import { apiVersion, kinds } from '@shipyard/api';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { openAuditDb } from './audit/db.js';
import { AuditStore } from './audit/audit.store.js';
import { agentUser, CredentialStore } from './auth/credentials.js';
import { defaultLoginGuard, LoginGuard, type LoginGuardOptions } from './auth/login-guard.js';
import { logRedaction } from './auth/log-redaction.js';
import { Access } from './authz/access.js';
import { buildApp } from './app.js';
import { ensureAdmin, ensureBuiltinTemplates } from './bootstrap.js';
import { ChangeHub } from './cache/changes.js';
import { PlatformCache } from './cache/platform-cache.js';
import { ClusterCache } from './clusters/cluster-cache.js';
import { ClusterConnections } from './clusters/connections.js';
import { clusterResourceList } from './clusters/cluster-resources.js';
import type { TunnelDirectory } from './tunnel/dialer.js';
import { startReplicaMesh } from './tunnel/replica-mesh.js';
import { TunnelHub } from './tunnel/tunnel-hub.js';
import { startLeaderWork } from './controllers/leader-work.js';
import {
  defaultConnectionTimeouts,
  handshakeDeadline,
  type ConnectionTimeouts,
} from './http/connection-timeouts.js';
import { ensureServingCert } from './http/tls.js';
import { ensureCrds, ensureNamespace } from './kube/crds.js';
import { management, PlatformObjects } from './kube/management.js';
import { LeaderElector } from './runtime/leader.js';
import { surviveStrayErrors } from './runtime/process-errors.js';

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
  /** Where log lines go (default stdout): tests read them. */
  logStream?: NodeJS.WritableStream;
  /** Connection deadlines of both listeners (default defaultConnectionTimeouts; tests shorten them). */
  timeouts?: Partial<ConnectionTimeouts>;
  loginGuard?: LoginGuardOptions;
  /** Replica identity in the leader Lease and the replica registry (default: host name + random). */
  identity?: string;
  /** The https URL other replicas reach this one at, for relays to the tunnels it holds (default https://<host>:<tlsPort>; in a pod, its IP). */
  peerUrl?: string;
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
  /** Set when this start created the admin user with a password it generated: print it once. */
  adminPassword?: string;
  isLeader: () => boolean;
  /** Whether each cluster's agent is connected, to this replica or another. */
  tunnels: TunnelDirectory;
  /**
   * For `npm start`: makes sure Cluster `name` exists, joined by agent, and returns a fresh one-time
   * registration token for it (what an admin gets from POST /api/v1/clusters/{name}/registrations).
   */
  registrationToken: (name: string, displayName?: string) => Promise<string>;
  stop: () => Promise<void>;
};

/** Connects to the management cluster, converges CRDs and built-ins, and serves. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const logOptions = { name: 'shipyard', level: config.logLevel, redact: logRedaction };
  const logger = config.logStream ? pino(logOptions, config.logStream) : pino(logOptions);
  const m = management({ kubeconfig: config.kubeconfig, namespace: config.namespace });
  const objects = new PlatformObjects(m);
  await ensureNamespace(m, objects);
  await ensureCrds(m, objects);

  const hub = new ChangeHub(200, (err, key) => logger.error({ err, key }, 'a change listener failed'));
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
  const credentials = new CredentialStore(m.kc.makeApiClient(CoreV1Api), m.namespace, {
    get: (name) => cache.secret(name),
    list: () => cache.secrets.list(),
  });
  await ensureBuiltinTemplates(objects);
  const adminPassword = await ensureAdmin({ objects, credentials, password: config.adminPassword });

  const access = new Access(cache);
  const tunnels = new TunnelHub({ logger: logger.child({}) });
  const identity = config.identity ?? `${os.hostname()}-${randomUUID().slice(0, 8)}`;
  // Relays verify the peer's certificate: it must name the host of the peer URL.
  const peerHost = config.peerUrl ? new URL(config.peerUrl).hostname.replace(/^\[|\]$/g, '') : undefined;
  const serving = await ensureServingCert(
    m,
    [config.host, ...config.tlsHosts, ...(peerHost ? [peerHost] : [])].filter(
      (h) => h !== '0.0.0.0' && h !== '::',
    ),
  );
  // Agent clusters are dialed through the router: the local hub, or a relay to the replica holding the tunnel.
  const mesh = await startReplicaMesh({ m, hub: tunnels, identity, ca: serving.ca, logger });
  const connections = new ClusterConnections(cache, mesh.router);
  // The platform cache has synced (above): the Clusters and their Secrets are known.
  const clusterCache = new ClusterCache({ cache, connections, tunnels: mesh.router, logger });
  clusterCache.start();
  // The live channel tells browsers when a cluster's nodes, namespaces or events change, as for platform lists.
  for (const { resource } of clusterResourceList) {
    clusterCache.onChange(resource, (cluster) => hub.notify(`${cluster}/${resource}`));
  }
  let tlsPort = config.tlsPort;
  const timeouts = { ...defaultConnectionTimeouts, ...config.timeouts };
  const app = await buildApp({
    cache,
    hub,
    access,
    credentials,
    objects,
    audit,
    connections,
    tunnels,
    clusterCache,
    peerToken: mesh.peerToken,
    kubeconfigServer: (hostname) => config.publicUrl ?? `https://${hostname}:${tlsPort}`,
    ca: serving.ca,
    guard: new LoginGuard(config.loginGuard ?? defaultLoginGuard),
    sessionTtlSeconds: config.sessionTtlSeconds,
    secureCookies: config.secureCookies,
    logLevel: config.logLevel,
    logStream: config.logStream,
    timeouts,
    ready: () => cache.hasSynced,
  });

  let stopLeaderWork: (() => Promise<void>) | undefined;
  const elector = new LeaderElector({
    kubeConfig: m.kc,
    cluster: m.cluster,
    namespace: m.namespace,
    name: 'shipyard-controllers',
    identity,
    logger,
    onStartedLeading: () => {
      stopLeaderWork = startLeaderWork({
        cache,
        objects,
        credentials,
        logger,
        connections,
        tunnels: mesh.router,
        clusterCache,
      });
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
    {
      cert: serving.cert,
      key: serving.key,
      ALPNProtocols: ['http/1.1'],
      handshakeTimeout: timeouts.headersMs,
    },
    (socket) => app.server.emit('connection', socket),
  );
  handshakeDeadline(tlsServer, timeouts.headersMs);
  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject);
    tlsServer.listen(config.tlsPort, config.host, () => resolve());
  });
  const tlsAddress = tlsServer.address();
  tlsPort = typeof tlsAddress === 'object' && tlsAddress ? tlsAddress.port : config.tlsPort;
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  await mesh.announce(config.peerUrl ?? `https://${wildcard ? os.hostname() : host}:${tlsPort}`);
  // Started: from here a stray error is logged and the server goes on (before, it still fails the start).
  const stopSurviving = surviveStrayErrors(logger);
  let stopping: Promise<void> | undefined;
  return {
    url,
    tlsUrl: `https://${host}:${tlsPort}`,
    ca: serving.ca,
    app,
    adminPassword,
    isLeader: () => elector.isLeader,
    tunnels: mesh.router,
    registrationToken: async (name, displayName) => {
      if (!cache.get('Cluster', name)) {
        await objects.create(kinds.Cluster, {
          apiVersion,
          kind: 'Cluster',
          metadata: { name },
          spec: { displayName, connection: { mode: 'agent' } },
        });
      }
      const issued = await credentials.issue({
        kind: 'registration',
        user: agentUser(name),
        cluster: name,
        ttlSeconds: 3600,
      });
      return issued.token;
    },
    stop: () =>
      (stopping ??= (async () => {
        await tunnels.close();
        await mesh.stop();
        await new Promise((resolve) => tlsServer.close(resolve));
        await app.close();
        await clusterCache.stop();
        connections.close();
        await elector.stop({ release: true });
        await stopRetention();
        await cache.stop();
        hub.close();
        await auditDb.close();
        stopSurviving();
      })()),
  };
}
