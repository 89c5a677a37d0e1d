/** The Shipyard agent: the per-cluster end of the tunnel through which the server reaches the API server. */
export { parseAgentCredential, type AgentCredential } from './agent-token.js';
export {
  endpointOfUrl,
  formatEndpoint,
  inClusterEndpoint,
  kubeconfigEndpoint,
  type Endpoint,
} from './api-server-endpoint.js';
export {
  EXIT_REFUSED,
  EXIT_REPLACED,
  EXIT_USAGE,
  main,
  parseAgentArgs,
  type AgentArgs,
  type MainOptions,
} from './cli.js';
export { kubeconfigAccess, inClusterAccess, type ClusterAccess } from './cluster-access.js';
export { AgentError, CredentialRefused } from './errors.js';
export { defaultBackoff, reconnectDelay, type ReconnectBackoff } from './reconnect-backoff.js';
export { register, REGISTRATION_REFUSED, type Registration } from './register.js';
export { FileStateStore, type AgentState, type StateStore } from './state.js';
export {
  TUNNEL_REFUSED,
  TunnelClient,
  type TunnelClientEvents,
  type TunnelClientOptions,
  type TunnelClientState,
  type TunnelClientStats,
} from './tunnel-client.js';
export { registerUrl, serverUrl, tunnelUrl } from './tunnel-url.js';
