/**
 * The server's addresses, all derived from its base URL (--server): https:// to any host (verified against
 * the CA the agent is given), or plain http:// to a loopback address in tests. The tunnel is the same
 * origin over ws:// or wss://.
 */
import { AgentError } from './errors.js';

const loopback = new Set(['127.0.0.1', '[::1]']);
const example = 'https://shipyard.example.com';

/** The server's base URL, normalised to end in "/" (a server behind a path prefix keeps its prefix). */
export function serverUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new AgentError(`--server "${server}" is not a URL (${example})`);
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    throw new AgentError(`--server ${server}: give the server's base URL (${example}), not its tunnel URL`);
  }
  if (url.protocol === 'http:' && !loopback.has(url.hostname)) {
    throw new AgentError(
      `--server ${server}: plain http:// is allowed only to 127.0.0.1 or [::1]; use https://`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AgentError(`--server ${server}: the server's URL must start with https://`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new AgentError(`--server ${server}: give the base URL alone, without query, fragment or user`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** The tunnel endpoint: {server}/api/v1/tunnel over wss:// (ws:// for a loopback http:// server). */
export function tunnelUrl(server: string): URL {
  const url = new URL('api/v1/tunnel', serverUrl(server));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

/** Where the agent exchanges a registration token for its agent token. */
export function registerUrl(server: string): URL {
  return new URL('api/v1/agent/register', serverUrl(server));
}
