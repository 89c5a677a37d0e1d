/** HTTP/2 PING keepalive: notices a peer that stopped answering (a dead link sends no FIN) in interval + timeout. */
import type { Http2Session } from 'node:http2';

export interface KeepaliveOptions {
  /** Pause between an answered PING and the next one. */
  intervalMs: number;
  /** A PING not answered within this long means the peer is gone. */
  timeoutMs: number;
  /** Each answered PING. */
  onAck: () => void;
  onTimeout: () => void;
}

/** Starts pinging `session`; returns the function that stops. Timers are unref'd: they never hold the process. */
export function keepalive(session: Http2Session, opts: KeepaliveOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (fn: () => void, ms: number): void => {
    timer = setTimeout(fn, ms);
    timer.unref();
  };
  const ping = (): void => {
    if (stopped || session.destroyed || session.closed) return;
    schedule(() => {
      stopped = true;
      opts.onTimeout();
    }, opts.timeoutMs);
    session.ping((err) => {
      if (stopped || err) return;
      clearTimeout(timer);
      opts.onAck();
      schedule(ping, opts.intervalMs);
    });
  };
  schedule(ping, opts.intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
