/**
 * Two byte streams joined both ways, as one: pipe keeps back-pressure and half-close (an end on one side ends
 * the other's writing half, as SPDY and WebSocket expect); when either fails or closes, both are destroyed, so
 * no socket outlives its peer. `onClose` runs once, then.
 */
import type { Duplex } from 'node:stream';

export function splice(a: Duplex, b: Duplex, onClose?: () => void): void {
  let done = false;
  const close = (): void => {
    if (done) return;
    done = true;
    a.destroy();
    b.destroy();
    onClose?.();
  };
  for (const s of [a, b]) {
    s.once('close', close);
    // The error closes the stream too; this listener only keeps it from being thrown.
    s.on('error', close);
  }
  a.pipe(b);
  b.pipe(a);
}
