/**
 * What the hub tests without a cluster share: a TCP echo server on 127.0.0.1 that stands for a cluster's API
 * server (the target that fake agents dial), a round trip through a stream to it, and a short poll.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export type EchoTarget = { host: string; port: number; close(): void };

/** Starts the echo server on a free port. */
export async function startEchoTarget(): Promise<EchoTarget> {
  const echo = net.createServer((s) => s.on('error', () => s.destroy()).pipe(s));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  return { host: '127.0.0.1', port: (echo.address() as AddressInfo).port, close: () => void echo.close() };
}

/** Writes `text` to the stream and resolves the first chunk that comes back. */
export async function roundTrip(stream: Duplex, text: string): Promise<string> {
  stream.write(text);
  const [data] = (await once(stream, 'data')) as [Buffer];
  return data.toString();
}

/** Polls every 10 ms until `check` holds, or fails after `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
