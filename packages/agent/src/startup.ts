/**
 * Start-up: which agent token to dial the tunnel with, and which API server to serve.
 * An agent token given directly (sya_) is used as is. Otherwise saved state for this server is reused
 * (the registration token works once), unless a different registration token is given, which means
 * "register anew". Without usable state the agent registers: out of a cluster it first sets up the
 * cluster access objects with its admin kubeconfig; in a cluster the manifest did.
 */
import { homedir } from 'node:os';
import { AGENT_NAMESPACE } from '@shipyard/api';
import { parseAgentCredential } from './agent-token.js';
import { inClusterEndpoint, kubeconfigEndpoint, type Endpoint } from './api-server-endpoint.js';
import { AgentError } from './errors.js';
import type { ReconnectBackoff } from './reconnect-backoff.js';
import { register } from './register.js';
import { defaultStateFile, FileStateStore, type StateStore } from './state.js';
import { serverUrl } from './tunnel-url.js';

export interface StartupArgs {
  server: string;
  token?: string;
  ca?: string | Buffer;
  kubeconfig?: string;
  state?: string;
  namespace?: string;
}

export interface StartupOptions {
  args: StartupArgs;
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
  signal?: AbortSignal;
  /** Where a pod's ServiceAccount is mounted (tests point it elsewhere). */
  serviceAccountDir?: string;
  registerBackoff?: ReconnectBackoff;
}

export interface Startup {
  agentToken: string;
  apiServer: Endpoint;
}

/** Resolves what to dial with; undefined when stopped while registering. Throws AgentError / CredentialRefused. */
export async function startup(opts: StartupOptions): Promise<Startup | undefined> {
  const { args, env, say } = opts;
  const credential = args.token === undefined ? undefined : parseAgentCredential(args.token);
  const apiServer = args.kubeconfig ? await kubeconfigEndpoint(args.kubeconfig) : inClusterEndpoint(env);
  if (credential?.kind === 'agent') return { agentToken: credential.token, apiServer };

  const namespace = args.namespace ?? env.POD_NAMESPACE ?? AGENT_NAMESPACE;
  const store = await stateStore(opts, apiServer, namespace);
  const server = serverUrl(args.server).href;
  const state = await store.load();
  if (state?.server === server && (!credential || credential.id === state.registrationTokenId)) {
    say(`cluster ${state.cluster}: using the agent token saved in ${store.where}`);
    return { agentToken: state.agentToken, apiServer };
  }
  if (!credential) {
    throw new AgentError(
      `${store.where} holds no agent token for ${server}: give a registration token (--token syr_… or SHIPYARD_AGENT_TOKEN)`,
    );
  }

  const { kubeconfigAccess, inClusterAccess } = await import('./cluster-access.js');
  const access = args.kubeconfig
    ? await kubeconfigAccess({ kubeconfig: args.kubeconfig, namespace })
    : await inClusterAccess({ env, namespace, serviceAccountDir: opts.serviceAccountDir });
  say(`registering with ${server} as ServiceAccount ${namespace}/shipyard-agent`);
  const registration = await register({
    server,
    registrationToken: credential.token,
    access,
    ca: args.ca,
    backoff: opts.registerBackoff,
    signal: opts.signal,
    say,
  });
  if (!registration) return undefined;
  await store.save({ server, ...registration, registrationTokenId: credential.id });
  say(`registered as cluster ${registration.cluster}; saved in ${store.where}`);
  return { agentToken: registration.agentToken, apiServer };
}

/** --state FILE; else out of a cluster a file per API server under $HOME; else the Secret in the namespace. */
async function stateStore(opts: StartupOptions, apiServer: Endpoint, namespace: string): Promise<StateStore> {
  const { args, env } = opts;
  if (args.state) return new FileStateStore(args.state);
  if (args.kubeconfig) return new FileStateStore(defaultStateFile(env.HOME ?? homedir(), apiServer));
  const { SecretStateStore } = await import('./state-secret.js');
  const { inClusterKubeConfig } = await import('./cluster-access.js');
  return new SecretStateStore(inClusterKubeConfig(env, opts.serviceAccountDir).kc, namespace);
}
