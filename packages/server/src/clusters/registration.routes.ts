import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { agentManifestYaml } from '@shipyard/api';
import { z } from 'zod';
import { beginAudit } from '../audit/audit.hooks.js';
import type { AuditStore } from '../audit/audit.store.js';
import { bearerOf } from '../auth/authenticate.js';
import { agentUser, type CredentialStore } from '../auth/credentials.js';
import type { Access } from '../authz/access.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import { callerOf } from '../http/context.js';
import { conflict, forbidden, invalid, notFound, unauthorized } from '../http/errors.js';
import type { PlatformObjects } from '../kube/management.js';
import { accessSecret, accessSecretName } from './cluster-access.js';

export type RegistrationDeps = {
  cache: PlatformCache;
  access: Access;
  credentials: CredentialStore;
  objects: PlatformObjects;
  audit: AuditStore;
  /** The https base URL agents dial, given the host name the caller used. */
  kubeconfigServer: (hostname: string) => string;
  /** PEM of the CA of that URL's certificate. */
  ca: string;
  /** The agent's container image in the manifest (default: defaultAgentImage). */
  agentImage?: string;
};

export const defaultAgentImage = 'shipyard/agent:0.1.0';

const params = z.object({ name: z.string() });
const issueBody = z
  .object({
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(3600),
  })
  .default({ ttlSeconds: 3600 });
const registerBody = z.object({
  apiServer: z.object({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65_535),
    caData: z
      .string()
      .min(1)
      .max(256 * 1024),
  }),
  serviceAccountToken: z
    .string()
    .min(16)
    .max(16 * 1024),
});

/**
 * Joining a cluster through its agent, in two steps:
 *  - POST /api/v1/clusters/{name}/registrations (an admin of the cluster): a one-time registration token,
 *    expiring, and the command that runs the agent with it;
 *  - POST /api/v1/agent/register (the agent, with that token): what the server needs to reach the cluster's
 *    API server through the tunnel (its address, CA and a ServiceAccount token), in exchange for the agent's
 *    own long-lived credential. Forged, expired and reused tokens are refused (401) and audited.
 */
export function registerRegistrationRoutes(app: FastifyInstance, deps: RegistrationDeps): void {
  app.post(
    '/api/v1/clusters/:name/registrations',
    { schema: { params, body: issueBody, tags: ['clusters'] } },
    async (req, reply) => {
      const caller = callerOf(req);
      const { name } = req.params as z.infer<typeof params>;
      const { ttlSeconds } = req.body as z.infer<typeof issueBody>;
      const cluster = deps.cache.get('Cluster', name);
      if (!cluster) throw notFound(`cluster "${name}" not found`);
      if (!deps.access.can(caller.user, 'update', 'clusters', 'Cluster', cluster)) {
        throw forbidden(`${caller.user} may not register an agent for cluster "${name}"`);
      }
      if (cluster.spec.connection?.mode !== 'agent') {
        throw conflict(
          `cluster "${name}" is not joined through an agent (spec.connection.mode is "${cluster.spec.connection?.mode ?? 'unset'}")`,
          'spec.connection.mode',
        );
      }
      await beginAudit(req, deps.audit, {
        verb: 'create',
        kind: 'clusters/registration',
        name,
        cluster: name,
      });
      const { token, credential } = await deps.credentials.issue({
        kind: 'registration',
        user: agentUser(name),
        cluster: name,
        name: `registration by ${caller.user}`,
        ttlSeconds,
      });
      const server = deps.kubeconfigServer(req.hostname.replace(/:\d+$/, ''));
      reply.code(201);
      return {
        cluster: name,
        token,
        expiresAt: credential.expiresAt,
        server,
        ca: deps.ca,
        // In the cluster: kubectl apply -f of this; outside it (tests, a laptop): the command.
        manifest: agentManifestYaml({
          server,
          registrationToken: token,
          caPem: deps.ca,
          image: deps.agentImage ?? defaultAgentImage,
        }),
        command: `shipyard-agent --server ${server} --ca shipyard-ca.pem --token ${token} --kubeconfig <admin kubeconfig of the cluster>`,
      };
    },
  );

  app.post(
    '/api/v1/agent/register',
    { config: { public: true }, schema: { body: registerBody, tags: ['agent'] } },
    async (req, reply) => {
      req.auditTarget = { verb: 'register', kind: 'clusters' };
      const refused = () => unauthorized('the registration token is unknown, expired or already used');
      const token = bearerOf(req);
      const verified = await deps.credentials.verify(token, 'registration');
      if (!verified?.cluster) throw refused();
      const name = verified.cluster;
      req.auditTarget = { verb: 'register', kind: 'clusters', name, cluster: name };
      if (!deps.cache.get('Cluster', name)) throw notFound(`cluster "${name}" no longer exists`);
      const body = req.body as z.infer<typeof registerBody>;
      const ca = Buffer.from(body.apiServer.caData, 'base64').toString('utf8');
      checkPem(ca);
      await beginAudit(req, deps.audit, { verb: 'register', kind: 'clusters', name, cluster: name });
      // Used up only now, once the audit record exists; of two concurrent uses, one wins.
      if (!(await deps.credentials.consume(token, 'registration'))) throw refused();
      const ns = deps.objects.namespace;
      await deps.objects.apply(
        `/api/v1/namespaces/${ns}/secrets/${accessSecretName(name)}`,
        accessSecret(ns, name, {
          host: body.apiServer.host,
          port: body.apiServer.port,
          ca,
          token: body.serviceAccountToken,
        }),
        `access of cluster ${name}`,
      );
      // A new registration replaces the agent: earlier agent credentials of the cluster stop working.
      const older = deps.credentials.listForCluster(name, 'agent');
      const agent = await deps.credentials.issue({ kind: 'agent', user: agentUser(name), cluster: name });
      await Promise.all(older.map((c) => deps.credentials.revoke('agent', c.id).catch(() => undefined)));
      reply.code(201);
      return { cluster: name, agentToken: agent.token };
    },
  );
}

/** The CA an agent sent must be PEM certificates: the server verifies the API server against it. */
function checkPem(pem: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw invalid('apiServer.caData must be base64 of PEM certificates', 'apiServer.caData');
  }
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw invalid(
        `apiServer.caData: a certificate does not parse: ${(err as Error).message}`,
        'apiServer.caData',
      );
    }
  }
}
