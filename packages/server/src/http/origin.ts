/**
 * Cross-site WebSocket hijacking: a browser sends the session cookie on a WebSocket from any page, and a
 * WebSocket carries no CSRF header. So a cookie-authenticated upgrade must come from a page of this server:
 * its Origin must be http(s) on the host:port the request was sent to. Browsers always send Origin on
 * WebSockets; a client that sends none is not a browser (a script with the cookie could send any header) and
 * is let through. Bearer-token clients (kubectl, scripts) are not asked.
 */
import type { IncomingHttpHeaders } from 'node:http';

const defaultPorts: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** host:port of an http(s) origin or Host header, lower case, with the scheme's default port spelled out. */
function hostPort(host: string, protocol: string): string | undefined {
  if (!URL.canParse(`${protocol}//${host}`)) return undefined;
  const url = new URL(`${protocol}//${host}`);
  if (url.username || url.password || url.pathname !== '/') return undefined;
  return `${url.hostname}:${url.port || defaultPorts[protocol]}`;
}

/**
 * Why a cookie-authenticated WebSocket upgrade with these headers is refused (a message for the 403), or
 * undefined when it is not: no Origin, or an http(s) Origin on the request's own host:port. `null`, an Origin
 * that does not parse, another scheme, or another host or port is refused.
 */
export function foreignOrigin(headers: IncomingHttpHeaders): string | undefined {
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  const refused = `WebSocket from another origin (${origin.slice(0, 200)}) refused`;
  if (!URL.canParse(origin)) return refused;
  const url = new URL(origin);
  const own = hostPort(headers.host ?? '', url.protocol);
  if (!(url.protocol in defaultPorts) || own === undefined) return refused;
  return hostPort(url.host, url.protocol) === own ? undefined : refused;
}
