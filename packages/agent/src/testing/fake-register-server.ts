/**
 * A stand-in for the Shipyard server's agent routes, for the agent's tests (the real routes live in
 * packages/server): POST /api/v1/agent/register checks the body the way the server must use it — it calls
 * the API server with the ServiceAccount token, verifying TLS against caData for the given host — and
 * answers 201 {cluster, agentToken}; registration tokens work once. GET /api/v1/tunnel accepts a WebSocket
 * with a known agent token and answers 401 to any other.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface RegisterCall {
  authorization?: string;
  body: unknown;
  /** Who the API server said the ServiceAccount token is (a SelfSubjectReview made with it), or its error. */
  serviceAccount: string;
  status: number;
}

export interface FakeRegisterServer {
  /** http://127.0.0.1:PORT: the base URL for --server. */
  url: string;
  /** Every registration request, answered or refused. */
  calls: RegisterCall[];
  /** The bearer of every tunnel upgrade, accepted or refused. */
  upgrades: string[];
  /** Registration token → the cluster and agent token it yields (once). */
  issue(registrationToken: string, cluster: string, agentToken: string): void;
  /** The server forgets an agent token (the cluster was deleted): its tunnel upgrades get 401. */
  revoke(agentToken: string): void;
  close(): Promise<void>;
}

const bearer = (h: string | undefined): string => /^Bearer (.+)$/.exec(h ?? '')?.[1] ?? '';

/** Asks the API server, as the token's owner, who it is: proves token, address and CA together. */
function whoAmI(body: unknown): Promise<string> {
  const b = body as {
    apiServer?: { host?: unknown; port?: unknown; caData?: unknown };
    serviceAccountToken?: unknown;
  };
  const { host, port, caData } = b.apiServer ?? {};
  if (typeof host !== 'string' || typeof port !== 'number' || typeof caData !== 'string') {
    return Promise.resolve('bad apiServer');
  }
  return new Promise((resolve) => {
    const req = https.request(
      {
        host,
        port,
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        ca: Buffer.from(caData, 'base64'),
        headers: {
          authorization: `Bearer ${String(b.serviceAccountToken)}`,
          'content-type': 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          const review = JSON.parse(text) as { status?: { userInfo?: { username?: string } } };
          resolve(review.status?.userInfo?.username ?? `HTTP ${res.statusCode}`);
        });
      },
    );
    req.on('error', (e) => resolve(e.message));
    req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }));
  });
}

export async function fakeRegisterServer(): Promise<FakeRegisterServer> {
  const pending = new Map<string, { cluster: string; agentToken: string }>();
  const agentTokens = new Set<string>();
  const calls: RegisterCall[] = [];
  const upgrades: string[] = [];
  const answer = (res: http.ServerResponse, status: number, body: object): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/v1/agent/register') return answer(res, 404, {});
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => {
      void (async () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const token = bearer(req.headers.authorization);
        const issued = pending.get(token);
        pending.delete(token);
        const serviceAccount = issued ? await whoAmI(body) : '';
        const call: RegisterCall = {
          authorization: req.headers.authorization,
          body,
          serviceAccount,
          status: 0,
        };
        calls.push(call);
        if (!issued) {
          call.status = 401;
          return answer(res, 401, { code: 401, reason: 'Unauthorized', message: 'unknown, expired or used' });
        }
        if (!serviceAccount.startsWith('system:serviceaccount:')) {
          call.status = 422;
          return answer(res, 422, {
            code: 422,
            reason: 'Invalid',
            message: `cannot use the token: ${serviceAccount}`,
          });
        }
        agentTokens.add(issued.agentToken);
        call.status = 201;
        answer(res, 201, issued);
      })();
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const token = bearer(req.headers.authorization);
    upgrades.push(token);
    if (req.url !== '/api/v1/tunnel' || !agentTokens.has(token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, () => undefined);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    upgrades,
    issue: (registrationToken, cluster, agentToken) =>
      void pending.set(registrationToken, { cluster, agentToken }),
    revoke: (agentToken) => void agentTokens.delete(agentToken),
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
