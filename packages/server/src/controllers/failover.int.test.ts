// Controller failover between server PROCESSES on the run's management cluster: of two replicas exactly one
// leads; a SIGKILLed leader is replaced within 15 s and what was written while no one led is reconciled
// after the takeover; a SIGTERMed leader releases the lease and a third replica takes over at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { group, version } from '@shipyard/api';
import { KubeApiError } from '../runtime/kube-errors.js';
import { kubeRequest } from '../runtime/kube-request.js';
import { loadKubeConfig } from '../runtime/testing/cluster.js';
import { ApiClient, eventually, testAdminPassword } from '../testing/server.js';

const kubeconfig = inject('kubeconfig');
const kc = loadKubeConfig(kubeconfig);
const namespace = 'shipyard-system';
const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/shipyard-controllers`;
const bin = fileURLToPath(new URL('../../bin/shipyard.js', import.meta.url));
const run = `${Date.now().toString(36)}-${process.pid}`;
const names = {
  tenant: `fo-${run}`,
  template: `fo-${run}-gone`,
  orphan: `fo-${run}-orphan`,
  bound: `fo-${run}-bound`,
  /** A binding's user must exist: every server has its admin. */
  user: 'admin',
};

type Replica = {
  identity: string;
  child: ChildProcess;
  url: string;
  dataDir: string;
  /** The process's output, for the failure message. */
  log: string[];
  exited: Promise<number | null>;
};

const replicas: Replica[] = [];

function alive(r: Replica): boolean {
  return r.child.exitCode === null && r.child.signalCode === null;
}

function killAll(): void {
  for (const r of replicas) if (alive(r)) r.child.kill('SIGKILL');
}
// Should the test process itself end abruptly, its replicas go with it.
process.once('exit', killAll);

function tail(r: Replica): string {
  return r.log.join('').split('\n').slice(-40).join('\n');
}

/** Spawns `shipyard server` with its own data dir and port, and waits until it serves and is ready. */
async function startReplica(name: string): Promise<Replica> {
  const identity = `failover-${name}-${run}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `shipyard-failover-${name}-`));
  const child = spawn(process.execPath, [bin, 'server', '--kubeconfig', kubeconfig, '--port', '0'], {
    env: {
      ...process.env,
      SHIPYARD_ADMIN_PASSWORD: testAdminPassword,
      SHIPYARD_DATA_DIR: dataDir,
      SHIPYARD_IDENTITY: identity,
      SHIPYARD_NAMESPACE: namespace,
      SHIPYARD_LOG_LEVEL: 'info',
      SHIPYARD_TLS_PORT: '0', // the HTTPS listener too on a free port
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      log.push(chunk.toString());
      const m = /shipyard: serving at (\S+)/.exec(log.join(''));
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    void exited.then((code) => reject(new Error(`replica ${name} exited (${code}) before serving`)));
  });
  const r: Replica = { identity, child, url: '', dataDir, log, exited };
  replicas.push(r);
  try {
    r.url = await Promise.race([
      url,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`replica ${name} did not serve in 120 s`)), 120_000),
      ),
    ]);
    await eventually('ready', async () =>
      (await fetch(`${r.url}/readyz`)).status === 200 ? true : undefined,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${tail(r)}`, { cause: err });
  }
  return r;
}

/** This replica's `shipyard_leader` gauge for the controllers' lease; undefined when it does not answer. */
async function leads(r: Replica): Promise<boolean | undefined> {
  try {
    const text = await (await fetch(`${r.url}/metrics`)).text();
    const m = /^shipyard_leader\{[^}]*lease="shipyard-system\/shipyard-controllers"[^}]*\} (\d+)$/m.exec(
      text,
    );
    return m ? m[1] === '1' : undefined;
  } catch (err) {
    if (!alive(r)) return undefined;
    throw err;
  }
}

async function holder(): Promise<string | undefined> {
  const lease = (await kubeRequest(kc, { path: leasePath })) as { spec?: { holderIdentity?: string } };
  return lease.spec?.holderIdentity || undefined;
}

/** Polls until `r` reports itself leader; the milliseconds from `since`. */
async function leadsAfter(r: Replica, since: number, timeoutMs: number): Promise<number> {
  await eventually(`${r.identity} leads`, async () => ((await leads(r)) ? true : undefined), timeoutMs);
  return performance.now() - since;
}

type Condition = { type: string; status: string; reason?: string };

async function readyOf(api: ApiClient, name: string): Promise<Condition | undefined> {
  const r = await api.get<{ status?: { conditions?: Condition[] } }>(`/api/v1/roletemplatebindings/${name}`);
  expect(r.status).toBe(200);
  return r.body.status?.conditions?.find((c) => c.type === 'Ready');
}

function binding(name: string, roleTemplate: string) {
  return {
    metadata: { name },
    spec: {
      subject: { kind: 'User', name: names.user },
      roleTemplate,
      scope: { level: 'tenant', name: names.tenant },
    },
  };
}

async function deleteObject(plural: string, name: string): Promise<void> {
  try {
    await kubeRequest(kc, { method: 'DELETE', path: `/apis/${group}/${version}/${plural}/${name}` });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 404)) throw err;
  }
}

let a: Replica;
let b: Replica;
let leader: Replica;
let follower: Replica;

beforeAll(async () => {
  [a, b] = await Promise.all([startReplica('a'), startReplica('b')]);
});

afterAll(async () => {
  killAll();
  await Promise.all(replicas.map((r) => r.exited));
  for (const r of replicas) rmSync(r.dataDir, { recursive: true, force: true });
  await deleteObject('roletemplatebindings', names.orphan);
  await deleteObject('roletemplatebindings', names.bound);
  await deleteObject('roletemplates', names.template);
  await deleteObject('tenants', names.tenant);
});

describe('controller failover between server processes', () => {
  it('of two replicas exactly one leads, the one the Lease names', async () => {
    const [first] = await eventually(
      'a leader',
      async () => {
        const states = await Promise.all([leads(a), leads(b)]);
        return states.includes(true) ? [states[0] ? a : b] : undefined;
      },
      30_000,
    );
    leader = first ?? a;
    follower = leader === a ? b : a;
    // Across two renewals, still exactly one, and the Lease agrees.
    for (let i = 0; i < 3; i++) {
      expect([await leads(leader), await leads(follower)]).toEqual([true, false]);
      expect(await holder()).toBe(leader.identity);
      await new Promise((r) => setTimeout(r, 2_000));
    }
  });

  it('after SIGKILL of the leader the other leads within 15 s and reconciles what was written meanwhile', async () => {
    const api = await ApiClient.signedIn(follower.url, 'admin', testAdminPassword);
    expect((await api.post('/api/v1/tenants', { metadata: { name: names.tenant }, spec: {} })).status).toBe(
      201,
    );
    await eventually('the tenant in the cache', async () =>
      (await api.get(`/api/v1/tenants/${names.tenant}`)).status === 200 ? true : undefined,
    );

    const killedAt = performance.now();
    leader.child.kill('SIGKILL');
    const takeover = leadsAfter(follower, killedAt, 20_000);
    expect(await leader.exited).toBeNull(); // ended by the signal

    // No replica leads now. A binding whose template is deleted before anyone reconciles it, and a valid one.
    const template = {
      metadata: { name: names.template },
      spec: { level: 'tenant', rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] },
    };
    expect((await api.post('/api/v1/roletemplates', template)).status).toBe(201);
    await eventually('the template in the cache', async () =>
      (await api.get(`/api/v1/roletemplates/${names.template}`)).status === 200 ? true : undefined,
    );
    const orphan = await api.post('/api/v1/roletemplatebindings', binding(names.orphan, names.template));
    expect(orphan.status, JSON.stringify(orphan.body)).toBe(201);
    expect((await api.del(`/api/v1/roletemplates/${names.template}`)).status).toBe(200);
    await eventually('the template gone from the cache', async () =>
      (await api.get(`/api/v1/roletemplates/${names.template}`)).status === 404 ? true : undefined,
    );
    const bound = await api.post('/api/v1/roletemplatebindings', binding(names.bound, 'tenant-member'));
    expect(bound.status, JSON.stringify(bound.body)).toBe(201);

    // All of that happened with no live leader: the dead one still holds the Lease, nobody reconciled.
    expect(await leads(follower)).toBe(false);
    expect(await holder()).toBe(leader.identity);
    expect(await readyOf(api, names.orphan)).toBeUndefined();
    expect(await readyOf(api, names.bound)).toBeUndefined();
    const writtenMs = performance.now() - killedAt;

    const failoverMs = await takeover;
    console.log(
      `failover after SIGKILL: ${Math.round(failoverMs)} ms (objects written in the first ${Math.round(writtenMs)} ms)`,
    );
    expect(failoverMs).toBeLessThan(15_000);
    expect(await holder()).toBe(follower.identity);

    const notFound = await eventually('the orphan binding reconciled', async () => {
      const c = await readyOf(api, names.orphan);
      return c?.status === 'False' ? c : undefined;
    });
    expect(notFound.reason).toBe('TemplateNotFound');
    const ok = await eventually('the valid binding reconciled', async () => {
      const c = await readyOf(api, names.bound);
      return c?.status === 'True' ? c : undefined;
    });
    expect(ok.reason).toBe('Bound');
  });

  it('a SIGTERMed leader releases the lease and a third replica takes over within a retry period', async () => {
    const c = await startReplica('c');
    expect(await leads(follower)).toBe(true);
    expect(await leads(c)).toBe(false);

    const stoppedAt = performance.now();
    follower.child.kill('SIGTERM');
    const handoverMs = await leadsAfter(c, stoppedAt, 15_000);
    console.log(`handover after SIGTERM: ${Math.round(handoverMs)} ms`);
    // Well under the 10 s lease duration: only a released lease is taken this fast.
    expect(handoverMs).toBeLessThan(5_000);
    expect(await follower.exited).toBe(0);
    expect(await holder()).toBe(c.identity);
  });
});
