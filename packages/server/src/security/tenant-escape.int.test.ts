// A tenant admin tries every way out of its partitions that issue 10 names, through the platform API and with
// kubectl through the proxy, and ends with no access outside them: the namespaces of the platform and of
// Kubernetes, the tenant's own quota, other people's rights, privileged pods and storage beyond the quota.
import { kubectl } from '@shipyard/localkube';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  can,
  created,
  createAs,
  hostPods,
  readyPartition,
  startTenancyFixture,
  tenantAdmin,
  type Person,
  type TenancyFixture,
} from '../tenancy/testing/tenancy-fixture.js';

const run = Date.now().toString(36);
const cluster = `esc-${run}`;
const tenant = `esc-t-${run}`;
const own = `esc-p-${run}`;
const legacy = `esc-legacy-${run}`;
const raiser = `esc-raise-${run}`;
const storageClass = 'fast';
const storageKey = `${storageClass}.storageclass.storage.k8s.io/requests.storage`;
const hard = { 'requests.cpu': '4', 'limits.cpu': '8', pods: '20', [storageKey]: '30Gi' };

type Named = { metadata: { name: string }; spec: Record<string, unknown> };

let f: TenancyFixture;
let admin: Person;

const partition = (name: string, spec: Record<string, unknown>) => ({
  metadata: { name },
  spec: { tenant, cluster, hard: { 'requests.cpu': '1' }, ...spec },
});

beforeAll(async () => {
  f = await startTenancyFixture(inject('kubeconfig'), cluster);
  await created(f.admin, 'tenants', {
    metadata: { name: tenant },
    spec: { clusters: [{ cluster, hard }] },
  } as Named);
  await readyPartition(f.admin, { name: own, tenant, cluster, hard: { 'requests.cpu': '1', pods: '5' } });
  // A namespace the cluster had before Shipyard: no partition may take it without a system admin.
  await kubectl(f.user, ['create', 'namespace', legacy]);
  // A template only a system admin should hand out: it may change tenants (their quota).
  await created(f.admin, 'roletemplates', {
    metadata: { name: raiser },
    spec: {
      displayName: 'Raises quotas',
      level: 'tenant',
      rules: [{ apiGroups: ['shipyard.dev'], resources: ['tenants'], verbs: ['get', 'update', 'patch'] }],
    },
  } as unknown as Named);
  admin = await tenantAdmin(f, { name: `esc-admin-${run}`, tenant, works: own });
});

afterAll(async () => {
  await f?.admin.del(`/api/v1/tenants/${tenant}?cascade=true`);
  await f?.admin.del(`/api/v1/roletemplates/${raiser}`);
  if (f) await kubectl(f.user, ['delete', 'namespace', legacy, '--wait=false']);
  await f?.close();
});

describe('through the platform API, a tenant admin', () => {
  it('cannot make a partition of a namespace that is not its own', async () => {
    for (const namespace of [
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'default',
      'shipyard-system',
      legacy,
    ]) {
      const r = await admin.api.post('/api/v1/partitions', partition(`esc-x-${run}`, { namespace }));
      expect([r.status, r.body], namespace).toEqual([
        422,
        expect.objectContaining({ field: 'spec.namespace' }),
      ]);
    }
    const adopt = await admin.api.post(
      '/api/v1/partitions',
      partition(`esc-x-${run}`, { namespace: legacy, adopt: true }),
    );
    expect(adopt.status, JSON.stringify(adopt.body)).toBe(403);
  });

  it('cannot lift Pod Security from a partition', async () => {
    const made = await admin.api.post(
      '/api/v1/partitions',
      partition(`esc-x-${run}`, { podSecurity: 'privileged' }),
    );
    expect(made.status, JSON.stringify(made.body)).toBe(403);
    const changed = await admin.api.patch(`/api/v1/partitions/${own}`, {
      spec: { podSecurity: 'privileged' },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(403);
  });

  it('cannot raise its own quota, by itself or by binding a template it does not hold', async () => {
    const quota = { spec: { clusters: [{ cluster, hard: { ...hard, 'requests.cpu': '400' } }] } };
    expect((await admin.api.patch(`/api/v1/tenants/${tenant}`, quota)).status).toBe(403);
    const bind = await admin.api.post('/api/v1/roletemplatebindings', {
      metadata: { name: `esc-raise-${run}` },
      spec: {
        subject: { kind: 'User', name: admin.name },
        roleTemplate: raiser,
        scope: { level: 'tenant', name: tenant },
      },
    });
    expect(bind.status, JSON.stringify(bind.body)).toBe(403);
    for (const [roleTemplate, level, name] of [
      ['platform-admin', 'platform', undefined],
      ['cluster-admin', 'cluster', cluster],
    ] as const) {
      const r = await admin.api.post('/api/v1/roletemplatebindings', {
        metadata: { name: `esc-${level}-${run}` },
        spec: { subject: { kind: 'User', name: admin.name }, roleTemplate, scope: { level, name } },
      });
      expect(r.status, `${roleTemplate}: ${JSON.stringify(r.body)}`).toBe(403);
    }
    const t = await f.admin.get<Named>(`/api/v1/tenants/${tenant}`);
    expect(JSON.stringify(t.body.spec)).not.toContain('"400"');
  });

  it('cannot make templates, or grant rights to a name no user holds yet', async () => {
    const template = await admin.api.post('/api/v1/roletemplates', {
      metadata: { name: `esc-own-${run}` },
      spec: {
        displayName: 'x',
        level: 'tenant',
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      },
    });
    expect(template.status).toBe(403);
    const ghost = `esc-ghost-${run}`;
    const member = await admin.api.patch(`/api/v1/groups/${tenant}-developers`, {
      spec: { members: [ghost] },
    });
    expect([member.status, member.body], 'group member').toEqual([
      422,
      expect.objectContaining({ field: 'spec.members[0]' }),
    ]);
    const subject = await admin.api.post('/api/v1/roletemplatebindings', {
      metadata: { name: `esc-ghost-${run}` },
      spec: {
        subject: { kind: 'User', name: ghost },
        roleTemplate: 'team-developers',
        scope: { level: 'tenant', name: tenant },
      },
    });
    expect([subject.status, subject.body], 'binding subject').toEqual([
      422,
      expect.objectContaining({ field: 'spec.subject.name' }),
    ]);
  });
});

describe('through the kube proxy, the same tenant admin', () => {
  const refused = async (why: RegExp, ...args: string[]) => {
    const r = await admin.kubectl(...args);
    expect([r.code, r.err], args.join(' ')).toEqual([1, expect.stringMatching(why)]);
  };

  it('reaches no namespace but its own', async () => {
    const namespaces = (
      await kubectl(f.user, ['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}'])
    )
      .split(' ')
      .filter(Boolean);
    expect(namespaces).toEqual(expect.arrayContaining(['kube-system', 'default', own, legacy]));
    for (const ns of namespaces) {
      for (const [verb, resource] of [
        ['get', 'secrets'],
        ['create', 'rolebindings'],
        ['create', 'pods'],
      ] as const) {
        expect(await can(admin, verb, resource, ns), `${verb} ${resource} in ${ns}`).toBe(ns === own);
      }
    }
    await refused(/Forbidden|forbidden/, 'get', 'secrets', '-n', 'kube-system');
    await refused(
      /Forbidden|forbidden/,
      'create',
      'clusterrolebinding',
      `esc-${run}`,
      '--clusterrole=cluster-admin',
      `--user=${admin.name}`,
    );
    await refused(/Forbidden|forbidden/, 'get', 'pods', '-n', 'kube-system', '--as=admin');
  });

  it('cannot grant itself more inside its partition than it holds', async () => {
    await refused(
      /forbidden|escalat/i,
      'create',
      'rolebinding',
      `esc-ca-${run}`,
      '--clusterrole=cluster-admin',
      `--user=${admin.name}`,
      '-n',
      own,
    );
  });

  it('cannot run a privileged, host-network, host-PID or hostPath pod, nor lift the namespace labels', async () => {
    const tries = hostPods(own, 'esc');
    for (const [what, manifest] of Object.entries(tries)) {
      const applied = await createAs(f, admin, what, manifest);
      expect([applied.code, applied.err], what).toEqual([1, expect.stringMatching(/violates PodSecurity/)]);
    }
    await refused(/Forbidden|forbidden/, 'label', 'namespace', own, 'pod-security.kubernetes.io/enforce-');
  });

  it('cannot claim storage beyond the quota the tenant has', async () => {
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'esc-big', namespace: own },
      spec: {
        storageClassName: storageClass,
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '500Gi' } },
      },
    };
    const r = await createAs(f, admin, 'claim', claim);
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/exceeded quota/)]);
  });
});
