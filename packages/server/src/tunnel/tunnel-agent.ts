/**
 * An https.Agent whose connections go through a cluster's tunnel: TLS runs end to end between this process
 * and the cluster's API server (the agent only moves bytes). Works for plain requests and HTTP/1.1 Upgrade
 * (exec, attach, port-forward) alike, and keeps connections alive when asked to (`keepAlive: true`).
 *
 *   const agent = new TunnelAgent({ hub, cluster: 'east', ca, cert, key, keepAlive: true });
 *   https.get({ host: '127.0.0.1', path: '/version', agent }, onResponse);
 */
import https from 'node:https';
import { PassThrough, type Duplex } from 'node:stream';
import tls from 'node:tls';
import type { TunnelDialer } from './dialer.js';

export interface TunnelAgentOptions extends https.AgentOptions {
  /** The TunnelHub, or whatever else dials the cluster's tunnel (a relay to the replica that holds it). */
  hub: TunnelDialer;
  cluster: string;
}

export class TunnelAgent extends https.Agent {
  private readonly hub: TunnelDialer;
  readonly cluster: string;
  private readonly sessions = new Map<string, Buffer>();

  constructor({ hub, cluster, ...options }: TunnelAgentOptions) {
    super(options);
    this.hub = hub;
    this.cluster = cluster;
  }

  /** Dials the tunnel, then starts TLS over the stream; the request's host names the certificate to expect. */
  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    // Node ignores the stream when there is an error; its types still ask for one.
    const fail = (err: unknown): void =>
      callback?.(err instanceof Error ? err : new Error(String(err)), new PassThrough().destroy());
    this.hub.dial(this.cluster, { signal: options.signal }).then((socket) => {
      let tlsSocket: tls.TLSSocket;
      try {
        tlsSocket = this.startTls(options, socket);
      } catch (err) {
        socket.destroy();
        return fail(err);
      }
      callback?.(null, tlsSocket);
    }, fail);
    return undefined;
  }

  /** TLS over the tunnel stream, resuming the last session with the same server (saves a full handshake). */
  private startTls(options: https.RequestOptions, socket: Duplex): tls.TLSSocket {
    const tlsOpts = tlsOptions(options);
    const key = `${tlsOpts.host}|${tlsOpts.servername ?? ''}`;
    const tlsSocket = tls.connect({ ...tlsOpts, session: this.sessions.get(key), socket });
    tlsSocket.on('session', (session: Buffer) => this.sessions.set(key, session));
    tlsSocket.once('error', () => this.sessions.delete(key));
    return tlsSocket;
  }
}

/** The options of a request that shape its TLS connection (the Agent has merged its own into them). */
const tlsKeys = [
  'servername',
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'ciphers',
  'minVersion',
  'maxVersion',
  'rejectUnauthorized',
  'checkServerIdentity',
] as const satisfies readonly (keyof https.RequestOptions & keyof tls.ConnectionOptions)[];

/** Only the keys that are set: an undefined one would replace tls.connect's default (ciphers, identity check). */
function tlsOptions(o: https.RequestOptions): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = { host: o.host ?? o.hostname ?? undefined };
  for (const k of tlsKeys) if (o[k] !== undefined) Object.assign(out, { [k]: o[k] });
  return out;
}
