/** The tunnel hub: agents dial in over WebSocket; the server reaches each cluster's API server through them. */
export { TunnelAgent, type TunnelAgentOptions } from './tunnel-agent.js';
export { isTunnelError, TunnelError, type TunnelErrorReason } from './tunnel-errors.js';
export { TunnelHub, type HubDialOptions, type TunnelHubEvents, type TunnelHubOptions } from './tunnel-hub.js';
export type { TunnelStats } from './tunnel-session.js';
