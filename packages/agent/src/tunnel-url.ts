/** The server's tunnel URL: wss:// (verified against the CA the agent is given), or ws:// to a loopback address in tests. */
import { AgentError } from './errors.js';

const loopback = new Set(['127.0.0.1', '[::1]']);

export function tunnelUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new AgentError(`--server "${server}" is not a URL (wss://shipyard.example.com/api/v1/tunnel)`);
  }
  if (url.protocol === 'wss:') return url;
  if (url.protocol === 'ws:' && loopback.has(url.hostname)) return url;
  if (url.protocol === 'ws:') {
    throw new AgentError(`--server ${server}: plain ws:// is allowed only to 127.0.0.1 or [::1]; use wss://`);
  }
  throw new AgentError(`--server ${server}: the tunnel URL must start with wss://`);
}
