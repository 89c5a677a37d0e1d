/**
 * The replicas as one tunnel hub: this replica's registry entry, the Leases of the tunnels it holds, its
 * view of everyone's Leases, and the router that the rest of the server dials clusters through.
 *
 *   const mesh = await startReplicaMesh({ m, hub, identity, ca, logger });
 *   new ClusterConnections(cache, mesh.router);       // and ControllerDeps.tunnels = mesh.router
 *   …listen…; await mesh.announce(peerUrl);           // then others relay to us
 *   await hub.close(); await mesh.stop();             // deletes our Leases
 */
import type { Management } from '../kube/management.js';
import { defaultLogger, type Logger } from '../runtime/logger.js';
import { LeaseClient } from './lease-client.js';
import { LeaseDirectory } from './lease-directory.js';
import { ensurePeerToken } from './peer-token.js';
import { dialRelay } from './relay-dial.js';
import { ReplicaRegistry } from './replica-registry.js';
import type { TunnelHub } from './tunnel-hub.js';
import { TunnelOwnership } from './tunnel-ownership.js';
import { TunnelRouter } from './tunnel-router.js';

export interface ReplicaMeshOptions {
  m: Management;
  hub: TunnelHub;
  /** This replica's identity (the leader election's too). */
  identity: string;
  /** PEM of the CA of the replicas' shared serving certificate: relays verify the peer against it. */
  ca: string;
  logger?: Logger;
}

export interface ReplicaMesh {
  /** Dial any agent's cluster, wherever its tunnel is; agentStatus across replicas. */
  router: TunnelRouter;
  /** What other replicas show on relays to this one. */
  peerToken: string;
  /** Enters this replica in the registry with its peer URL, once it listens there. */
  announce(peerUrl: string): Promise<void>;
  /** Deletes this replica's Leases (call after the hub closed) and stops watching. */
  stop(): Promise<void>;
}

export async function startReplicaMesh(opts: ReplicaMeshOptions): Promise<ReplicaMesh> {
  const { m, hub, identity } = opts;
  const logger = opts.logger ?? defaultLogger();
  const peerToken = await ensurePeerToken(m);
  const leases = new LeaseClient(m.kc, m.namespace);
  const directory = new LeaseDirectory({ kubeConfig: m.kc, namespace: m.namespace, logger });
  const ownership = new TunnelOwnership({ tunnels: hub, leases, namespace: m.namespace, identity, logger });
  ownership.start();
  const unwatch = directory.onTunnelChange((cluster, lease) => ownership.check(cluster, lease));
  try {
    await directory.synced();
  } catch (err) {
    unwatch();
    await Promise.all([ownership.stop(), directory.stop()]);
    throw err;
  }
  const router = new TunnelRouter({
    hub,
    leases: directory,
    identity,
    relay: (peerUrl, cluster, dial) =>
      dialRelay({ peerUrl, cluster, token: peerToken, ca: opts.ca, ...dial }),
  });
  let registry: ReplicaRegistry | undefined;
  return {
    router,
    peerToken,
    announce: (peerUrl) => {
      registry ??= new ReplicaRegistry({ leases, namespace: m.namespace, identity, peerUrl, logger });
      return registry.start();
    },
    stop: async () => {
      unwatch();
      await Promise.all([ownership.stop(), registry?.stop()]);
      await directory.stop();
    },
  };
}
