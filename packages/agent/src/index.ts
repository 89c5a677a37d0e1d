/** The Shipyard agent: the per-cluster end of the tunnel through which the server reaches the API server. */
export {
  endpointOfUrl,
  formatEndpoint,
  inClusterEndpoint,
  kubeconfigEndpoint,
  type Endpoint,
} from './api-server-endpoint.js';
export { EXIT_REPLACED, main, parseAgentArgs, type AgentArgs, type MainOptions } from './cli.js';
export { AgentError } from './errors.js';
export { defaultBackoff, reconnectDelay, type ReconnectBackoff } from './reconnect-backoff.js';
export {
  TunnelClient,
  type TunnelClientEvents,
  type TunnelClientOptions,
  type TunnelClientState,
  type TunnelClientStats,
} from './tunnel-client.js';
export { tunnelUrl } from './tunnel-url.js';
