import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import type { GuardedPool } from './guarded-agents.js';

/**
 * A KubeConfig whose every request (client-node's API calls, its watches, and our raw requests) goes through
 * one connection pool: a keep-alive https.Agent per cluster, or a TunnelAgent for a cluster behind its agent,
 * each watching its new connections (guarded-agents.ts).
 * client-node otherwise makes a new https.Agent, hence a new TLS connection, for each request.
 */
export class PooledKubeConfig extends KubeConfig {
  constructor(readonly pool: GuardedPool) {
    super();
  }

  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    opts.agent = this.pool;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setAgent(this.pool);
  }
}
