/** Failures of the tunnel as values: a caller maps `reason` to a status (NotConnected → 503, DialFailed → 502). */

export type TunnelErrorReason =
  /** No agent of the cluster is connected (or its tunnel is closing). */
  | 'NotConnected'
  /** The agent answered the dial with an error, e.g. its API server refused the connection. */
  | 'DialFailed'
  /** The agent did not answer the dial in time. */
  | 'DialTimeout'
  /** The caller aborted the dial. */
  | 'Aborted'
  /** The tunnel went away: the agent disconnected, stopped answering pings, or the hub closed. */
  | 'Disconnected';

export class TunnelError extends Error {
  override name = 'TunnelError';

  constructor(
    readonly reason: TunnelErrorReason,
    readonly cluster: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isTunnelError(err: unknown, reason?: TunnelErrorReason): err is TunnelError {
  return err instanceof TunnelError && (reason === undefined || err.reason === reason);
}
