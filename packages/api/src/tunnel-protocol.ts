/**
 * The tunnel's wire contract, shared by the server's hub and the agent.
 *
 * One WebSocket per agent carries one HTTP/2 connection; the server is its HTTP/2 client, the agent its
 * HTTP/2 server. Each dial is a `CONNECT` stream that the agent answers by opening a TCP connection to
 * its API server and splicing the two: the bytes are opaque to the agent (TLS ends at the API server).
 *
 * What either end reads from the other is parsed with the schemas below (HTTP/2 framing itself by node's
 * nghttp2): the server refuses an agent's malformed answer by closing its tunnel with the reason
 * (WebSocket close 1002), and the agent refuses a dial it does not take with a status and a reason. Every
 * WebSocket message of the tunnel is binary (HTTP/2 frames); a text message is a protocol error.
 */
import { z } from 'zod';

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

/** WebSocket close code for a tunnel closed because the other end broke the protocol. */
export const TUNNEL_PROTOCOL_ERROR = 1002;

/** The most of an agent's error reason the server keeps. */
export const MAX_ERROR_REASON = 1024;

/**
 * The headers of an agent's answer to a dial: 200 (connected, the stream is the API server's bytes), or
 * another status with the reason in ERROR_HEADER. Other headers (date…) are allowed and ignored.
 */
export const dialAnswerSchema = z.object({
  ':status': z.number().int().min(200).max(599),
  [ERROR_HEADER]: z.string().max(MAX_ERROR_REASON).optional(),
});
export type DialAnswer = z.infer<typeof dialAnswerSchema>;

/** The headers of a dial as the agent takes it: CONNECT to API_SERVER_AUTHORITY, nothing else. */
export const dialRequestSchema = z.object({
  ':method': z.literal('CONNECT', { error: 'the tunnel takes CONNECT only' }),
  ':authority': z.literal(API_SERVER_AUTHORITY, {
    error: `this agent dials only its API server (${API_SERVER_AUTHORITY})`,
  }),
});

/** A zod error of these schemas in one line, for a log or a close reason. */
export function tunnelSchemaError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'headers'}: ${i.message}`)
    .join('; ');
}
