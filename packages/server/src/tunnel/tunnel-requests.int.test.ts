// Requests through the tunnel to the run's real kube-apiserver, TLS end to end (testing/tunnel-rig.ts): the
// agent dialing over wss:// and checking the server's certificate, GET, list, watch and an HTTP/1.1 Upgrade.
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { eventually } from '../runtime/testing/cluster.js';
import { CLUSTER, tunnelRig } from '../testing/tunnel-rig.js';
import { AgentProcess } from './testing/agent-process.js';
import { startTunnelServer } from './testing/tunnel-server.js';
import { TunnelAgent } from './tunnel-agent.js';

const TLS_TOKEN = `sya_000000000002_${'b'.repeat(43)}`;

const rig = tunnelRig();
const { request } = rig;

describe('the tunnel to a real kube-apiserver', () => {
  it('runs over wss://, the agent verifying the server against the CA it is given', async () => {
    const { hub, creds } = rig;
    const cluster = rig.kc.getCurrentCluster();
    if (!cluster?.caFile) throw new Error('the kubeconfig names no CA file');
    // The cluster's own PKI serves: its admin certificate names 127.0.0.1 and chains to its CA.
    const secure = await startTunnelServer(
      hub,
      { [TLS_TOKEN]: 'over-tls' },
      { cert: creds.cert, key: creds.key },
    );
    const args = ['--server', secure.baseUrl, '--token', TLS_TOKEN, '--kubeconfig', rig.agentKubeconfig];
    const verified = new AgentProcess([...args, '--ca', cluster.caFile]);
    const unverified = new AgentProcess(args);
    try {
      await eventually('the agent connects over TLS', () => hub.has('over-tls'), 30_000);
      const agent = new TunnelAgent({ hub, cluster: 'over-tls', ...creds });
      expect((await request({ path: '/version', agent })).status).toBe(200);
      // Without the CA, the system roots do not vouch for the server: no tunnel, and it keeps retrying.
      await eventually('the second agent refuses the certificate', () =>
        unverified.lines.find((l) =>
          /unable to verify the first certificate|unable to get local issuer certificate|self[- ]signed/.test(
            l,
          ),
        ),
      );
      expect(unverified.lines.some((l) => / connected to /.test(l))).toBe(false);
      console.log(`[tunnel] an agent without the CA: ${unverified.lines.at(-1)?.replace(/^\S+ /, '')}`);
    } finally {
      await Promise.all([verified.stop(), unverified.stop()]);
      await secure.close();
    }
  });

  it('answers GET /version through the tunnel, TLS end to end with the admin certificate', async () => {
    const reply = await request({ path: '/version' });
    expect(reply.status).toBe(200);
    const direct = await request({ path: '/version', agent: new https.Agent(rig.creds) });
    expect(JSON.parse(reply.body)).toEqual(JSON.parse(direct.body));
    expect(JSON.parse(reply.body)).toHaveProperty('gitVersion');
  });

  it('lists pods', async () => {
    const reply = await request({ path: '/api/v1/pods?limit=500' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ kind: 'PodList', items: expect.any(Array) });
  });

  it('watches: an event for a ConfigMap created after the watch began', async () => {
    const { res, abort } = await rig.open(
      `/api/v1/namespaces/${rig.ns}/configmaps?watch=1&timeoutSeconds=60`,
      rig.pooled,
    );
    expect(res.statusCode).toBe(200);
    let seen = '';
    res.setEncoding('utf8').on('data', (c: string) => (seen += c));
    await request({
      method: 'POST',
      path: `/api/v1/namespaces/${rig.ns}/configmaps`,
      body: { metadata: { name: 'watched' } },
    });
    await eventually('the ADDED event', () => /"type":"ADDED".*"name":"watched"/.test(seen), 10_000);
    abort();
  });

  it('carries an HTTP/1.1 Upgrade: a WebSocket watch through the tunnel (as exec and port-forward upgrade)', async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${rig.apiPort}/api/v1/namespaces/${rig.ns}/configmaps?watch=1`,
      {
        agent: new TunnelAgent({ hub: rig.hub, cluster: CLUSTER, ...rig.creds }),
        perMessageDeflate: false,
        // The apiserver's WebSocket watch refuses (403) a handshake without an Origin.
        origin: 'https://127.0.0.1',
      },
    );
    const events: string[] = [];
    ws.on('message', (m: Buffer) => events.push(m.toString()));
    const [res] = (await once(ws, 'upgrade')) as [IncomingMessage];
    expect(res.statusCode).toBe(101);
    await request({
      method: 'POST',
      path: `/api/v1/namespaces/${rig.ns}/configmaps`,
      body: { metadata: { name: 'upgraded' } },
    });
    await eventually(
      'a watch event over the WebSocket',
      () => events.some((e) => e.includes('"upgraded"')),
      10_000,
    );
    ws.close();
  });
});
