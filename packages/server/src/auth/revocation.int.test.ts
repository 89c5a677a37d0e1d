// Revocation is immediate and everywhere: disabling a user, changing their password or taking them out of a
// group ends what they hold open — a kube watch through the proxy, an exec session in a pod, the /api/v1/watch
// socket — within seconds; old tokens stay dead after re-enabling; a password change is audited as a change
// without its value. And a kubeconfig download replaces the token of the one before.
import { readdirSync, readFileSync } from 'node:fs';
import { kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { ApiClient, eventually, startTestServer } from '../testing/server.js';
import { startStreamCluster, type StreamCluster } from '../testing/stream-cluster.js';

const management = inject('kubeconfig');
const run = Date.now().toString(36);
const cluster = `revoke-${run}`;
const marker = `revoke-sleep-${run}`;
const password = 'the-first-password';

let s: StreamCluster;
/** What the tests made in the management cluster, removed at the end (those already gone are fine). */
const made: string[] = [];

beforeAll(async () => {
  s = await startStreamCluster({ management, name: cluster, ns: cluster });
});

afterAll(async () => {
  // kwok does not end the commands it runs when their stream closes.
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // it ended while we looked
    }
  }
  for (const path of made.reverse()) await s?.admin.del(path);
  await s?.close();
});

/** A user who reaches the cluster through a group (cluster-viewer there) and may do anything in it. */
async function member(name: string) {
  const group = `${name}-team`;
  made.push(`/api/v1/users/${name}`, `/api/v1/groups/${group}`, `/api/v1/roletemplatebindings/${name}-views`);
  const created = [
    await s.admin.post('/api/v1/users', { metadata: { name }, spec: { password } }),
    await s.admin.post('/api/v1/groups', { metadata: { name: group }, spec: { members: [name] } }),
    await s.admin.post('/api/v1/roletemplatebindings', {
      metadata: { name: `${name}-views` },
      spec: {
        subject: { kind: 'Group', name: group },
        roleTemplate: 'cluster-viewer',
        scope: { level: 'cluster', name: cluster },
      },
    }),
  ];
  expect(created.map((r) => r.status)).toEqual([201, 201, 201]);
  await kubectl(s.user, [
    'create',
    'clusterrolebinding',
    `all-${name}`,
    '--clusterrole=cluster-admin',
    `--user=${name}`,
  ]);
  const session = await ApiClient.signedIn(s.server.url, name, password);
  const token = (await session.post<{ token: string }>('/api/v1/tokens', { name: 'kubectl' })).body.token;
  return { name, group, session, token };
}

type Held = { what: string; ended: Promise<string> };

/** A `kubectl get pods -w`: a long GET through the proxy, held once its first event came. */
async function kubeWatch(token: string, base = s.server.url): Promise<Held> {
  const url = `${base}/k8s/clusters/${cluster}/api/v1/namespaces/${s.ns}/pods?watch=true`;
  const res = await eventually('the watch to open', async () => {
    const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (r.status === 200 && r.body) return r;
    await r.body?.cancel();
    return undefined;
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toContain('"ADDED"');
  const ended = (async () => {
    try {
      while (!(await reader.read()).done);
      return 'ended';
    } catch {
      return 'broken';
    }
  })();
  return { what: 'kube watch', ended };
}

/** One exec attempt: held once its command said it runs; refused, or given up after `waitMs` of silence. */
function execOnce(url: string, token: string, waitMs: number): Promise<Held> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io'], { headers: { authorization: `Bearer ${token}` } });
    const ended = new Promise<string>((r) => ws.once('close', () => r('closed')));
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`the exec said nothing in ${waitMs} ms`));
    }, waitMs);
    ws.on('message', (data: Buffer) => {
      if (!data.subarray(1).toString().includes('running')) return;
      clearTimeout(timer);
      resolve({ what: 'exec', ended });
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`exec refused: ${res.statusCode}`));
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * An exec session in the pod, held once its command said it runs. The first exec of a fresh kwok cluster may
 * say nothing while kwok takes up its exec configuration: such an attempt is given up and made again.
 */
async function exec(token: string, base = s.server.url): Promise<Held> {
  const url = s
    .execUrl(cluster, ['sh', '-c', `echo running; sleep 120; echo ${marker}`])
    .replace(s.server.url.replace(/^http/, 'ws'), base.replace(/^http/, 'ws'));
  for (let attempt = 1; ; attempt++) {
    try {
      return await execOnce(url, token, 10_000);
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}

/** The console's live channel, on the session cookie. */
function liveChannel(session: ApiClient): Promise<Held> {
  const url = `${session.base.replace(/^http/, 'ws')}/api/v1/watch`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { cookie: session.cookie ?? '', origin: session.base } });
    const ended = new Promise<string>((r) => ws.once('close', () => r('closed')));
    ws.once('open', () => resolve({ what: '/api/v1/watch', ended }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`watch refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** What opening `what` gives, or an error naming it after 45 s (so a hang says which one). */
function within<T>(what: string, opening: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not open within 45 s`)), 45_000);
  });
  return Promise.race([opening, late]).finally(() => clearTimeout(timer));
}

async function holdAll(m: { token: string; session: ApiClient }): Promise<Held[]> {
  return [
    await within('the kube watch', kubeWatch(m.token)),
    await within('the exec', exec(m.token)),
    await within('the live channel', liveChannel(m.session)),
  ];
}

/** Each held connection ends within 10 s; their names, in order. */
async function allEnd(held: Held[]): Promise<string[]> {
  const timeout = new Promise<string>((r) => setTimeout(() => r('still open'), 10_000).unref());
  return Promise.all(held.map(async (h) => `${h.what}: ${await Promise.race([h.ended, timeout])}`));
}

const open = ['kube watch: ', 'exec: ', '/api/v1/watch: '];

/**
 * Signs in once the server's cache has the user enabled again: an attempt while it still has them disabled
 * would count as a failed sign-in, and a few of them lock the account.
 */
async function signInOnceEnabled(name: string): Promise<void> {
  await eventually(`${name} enabled in the cache`, async () => {
    const u = await s.admin.get<{ spec: { disabled?: boolean } }>(`/api/v1/users/${name}`);
    return u.status === 200 && !u.body.spec.disabled ? true : undefined;
  });
  await ApiClient.signedIn(s.server.url, name, password);
}

describe('revocation ends what is open', () => {
  it('disabling a user ends their watch, exec and live channel; re-enabling brings no token back', async () => {
    const m = await member(`dis-${run}`);
    const held = await holdAll(m);
    expect((await s.admin.patch(`/api/v1/users/${m.name}`, { spec: { disabled: true } })).status).toBe(200);
    const ends = await allEnd(held);
    expect(
      ends.every((e, i) => e.startsWith(open[i] ?? '') && !e.endsWith('still open')),
      ends.join(),
    ).toBe(true);
    expect((await s.admin.patch(`/api/v1/users/${m.name}`, { spec: { disabled: false } })).status).toBe(200);
    await signInOnceEnabled(m.name);
    expect((await ApiClient.withToken(s.server.url, m.token).get('/api/v1/session')).status).toBe(401);
    expect((await m.session.get('/api/v1/session')).status).toBe(401);
  });

  it('disabling a user with kubectl in the management cluster revokes their tokens too', async () => {
    const m = await member(`kdis-${run}`);
    const patch = (disabled: boolean) =>
      kubectl({ kubeconfig: management }, [
        'patch',
        'users.shipyard.dev',
        m.name,
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { disabled } }),
      ]);
    await patch(true);
    const api = ApiClient.withToken(s.server.url, m.token);
    await eventually('the token refused', async () =>
      (await api.get('/api/v1/session')).status === 401 ? true : undefined,
    );
    // The controller has seen the user disabled once it says so (after revoking what they held).
    await eventually('the user reported disabled', async () => {
      const u = await s.admin.get<{ status?: { conditions?: { reason?: string }[] } }>(
        `/api/v1/users/${m.name}`,
      );
      return u.body.status?.conditions?.some((c) => c.reason === 'Disabled') ? true : undefined;
    });
    await patch(false);
    await signInOnceEnabled(m.name);
    expect((await api.get('/api/v1/session')).status).toBe(401);
  });

  it('a password change ends them, revokes sessions and tokens, and is audited without the password', async () => {
    const m = await member(`pw-${run}`);
    const held = await holdAll(m);
    const next = 'the-second-password';
    expect((await s.admin.patch(`/api/v1/users/${m.name}`, { spec: { password: next } })).status).toBe(200);
    const ends = await allEnd(held);
    expect(
      ends.every((e) => !e.endsWith('still open')),
      ends.join(),
    ).toBe(true);
    expect((await ApiClient.withToken(s.server.url, m.token).get('/api/v1/session')).status).toBe(401);
    expect((await m.session.get('/api/v1/session')).status).toBe(401);
    expect((await new ApiClient(s.server.url).login(m.name, next)).status).toBe(200);
    const audit = await s.admin.get<{ items: { name: string; verb: string; changes: string[] | null }[] }>(
      `/api/v1/audit?kind=User&verb=update&user=admin`,
    );
    const record = audit.body.items.find((i) => i.name === m.name);
    expect(record?.changes).toEqual(['spec.password']);
    expect(JSON.stringify(audit.body)).not.toContain(next);
  });

  it('deleting a user ends them', async () => {
    const m = await member(`del-${run}`);
    const held = await holdAll(m);
    expect((await s.admin.del(`/api/v1/users/${m.name}`)).status).toBe(200);
    const ends = await allEnd(held);
    expect(
      ends.every((e) => !e.endsWith('still open')),
      ends.join(),
    ).toBe(true);
  });

  it('taking a user out of a group ends what they opened while in it', async () => {
    const m = await member(`grp-${run}`);
    const held = await holdAll(m);
    expect((await s.admin.patch(`/api/v1/groups/${m.group}`, { spec: { members: [] } })).status).toBe(200);
    const ends = await allEnd(held);
    expect(
      ends.every((e) => !e.endsWith('still open')),
      ends.join(),
    ).toBe(true);
    // Their credentials still hold; the group's grant does not.
    expect((await m.session.get('/api/v1/session')).status).toBe(200);
  });
});

describe('revocation on another replica', () => {
  it('ends what a user holds open on a replica other than the one that disabled them', async () => {
    const m = await member(`rep-${run}`);
    const other = await startTestServer(management);
    try {
      const session = await ApiClient.signedIn(other.url, m.name, password);
      const held = [
        await kubeWatch(m.token, other.url),
        await exec(m.token, other.url),
        await liveChannel(session),
      ];
      expect((await s.admin.patch(`/api/v1/users/${m.name}`, { spec: { disabled: true } })).status).toBe(200);
      const ends = await allEnd(held);
      expect(
        ends.every((e) => !e.endsWith('still open')),
        ends.join(),
      ).toBe(true);
      expect((await ApiClient.withToken(other.url, m.token).get('/api/v1/session')).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('kubeconfig tokens', () => {
  const download = async (c: ApiClient) => {
    const r = await fetch(`${s.server.url}/api/v1/clusters/${cluster}/kubeconfig`, {
      headers: { cookie: c.cookie ?? '' },
    });
    expect(r.status).toBe(200);
    const token = /token: (\S+)/.exec(await r.text())?.[1];
    if (!token) throw new Error('no token in the kubeconfig');
    return token;
  };

  it('are one per user and cluster: a new download revokes the token of the one before', async () => {
    const m = await member(`kc-${run}`);
    const first = await download(m.session);
    const second = await download(m.session);
    const third = await download(m.session);
    const works = async (t: string) =>
      (await ApiClient.withToken(s.server.url, t).get('/api/v1/session')).status;
    expect([await works(first), await works(second), await works(third)]).toEqual([401, 401, 200]);
    const tokens = await m.session.get<{ items: { name: string }[] }>('/api/v1/tokens');
    expect(tokens.body.items.filter((t) => t.name === `kubeconfig-${cluster}`)).toHaveLength(1);
  });
});
