/**
 * The tunnel's wire contract, shared by the server's hub and the agent.
 *
 * One WebSocket per agent carries one HTTP/2 connection; the server is its HTTP/2 client, the agent its
 * HTTP/2 server. Each dial is a `CONNECT` stream that the agent answers by opening a TCP connection to
 * its API server and splicing the two: the bytes are opaque to the agent (TLS ends at the API server).
 */

/** The only CONNECT target an agent answers: the API server endpoint it was configured with. */
export const API_SERVER_AUTHORITY = 'kube-apiserver:443';

/** Response header in which an agent explains a failed dial. */
export const ERROR_HEADER = 'shipyard-tunnel-error';

/** GOAWAY opaque data telling an agent that a newer agent of its cluster took over: it must not reconnect. */
export const GOAWAY_REPLACED = 'replaced';

/** Per-stream flow-control window (HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE). */
export const STREAM_WINDOW_BYTES = 1 << 20;

/** Connection-level window: how much unread data all streams of one tunnel may hold together. */
export const CONNECTION_WINDOW_BYTES = 16 << 20;

/** Node's per-session memory ceiling (MB) before it refuses new streams; its default of 10 is too tight here. */
export const MAX_SESSION_MEMORY_MB = 64;

/** Streams one tunnel may carry at once (the agent advertises it as SETTINGS_MAX_CONCURRENT_STREAMS). */
export const MAX_CONCURRENT_STREAMS = 1000;
