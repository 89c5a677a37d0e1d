/** A client of GET /api/v1/watch for the watch tests: open it, collect what it is told, wait for it. */
import { WebSocket } from 'ws';

export type WatchClient = {
  ws: WebSocket;
  /** Every message so far, parsed (a frame that is not JSON is kept as its text). */
  got: unknown[];
  /** Sends a message, as JSON unless it is a string or bytes already. */
  send(msg: unknown): void;
  /** Waits until `check` holds of the messages so far. */
  until(check: (got: unknown[]) => boolean, ms?: number): Promise<void>;
  /** Resolves with the close code and reason once the server closed it. */
  closed: Promise<{ code: number; reason: string }>;
};

/** Opens the watch channel with these headers; rejects with `HTTP <status>` when the upgrade is refused. */
export function openWatch(serverUrl: string, headers: Record<string, string>): Promise<WatchClient> {
  const ws = new WebSocket(serverUrl.replace(/^http/, 'ws') + '/api/v1/watch', { headers });
  const got: unknown[] = [];
  ws.on('message', (d: Buffer) => {
    const text = d.toString();
    try {
      got.push(JSON.parse(text));
    } catch {
      got.push(text);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const client: WatchClient = {
    ws,
    got,
    closed,
    send: (msg) => ws.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg)),
    until: async (check, ms = 5000) => {
      const deadline = Date.now() + ms;
      while (!check(got)) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(got).slice(0, 2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      res.resume();
    });
    ws.once('error', reject);
  });
}

/** The messages that answer one subscribe: error frames for refused keys, then {subscribed}. */
export function lastSubscribed(got: unknown[]): string[] | undefined {
  for (let i = got.length - 1; i >= 0; i--) {
    const m = got[i] as { subscribed?: string[] };
    if (m && typeof m === 'object' && Array.isArray(m.subscribed)) return m.subscribed;
  }
  return undefined;
}
