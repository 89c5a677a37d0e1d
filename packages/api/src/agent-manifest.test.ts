import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  agentAccessObjects,
  agentManifest,
  agentManifestYaml,
  type ManifestObject,
} from './agent-manifest.js';

const token = `syr_0123456789ab_${'A'.repeat(43)}`;
const opts = { server: 'https://shipyard.example.com', registrationToken: token, image: 'shipyard/agent:1' };

const find = (objects: ManifestObject[], kind: string, name?: string): ManifestObject => {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind} ${name ?? ''}`);
  return o;
};

type Rule = { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; verbs: string[] };
/** Every (group, resource, verb) a set of rules grants, as "group/resource:verb". */
const grants = (rules: Rule[]): Set<string> =>
  new Set(
    rules.flatMap((r) =>
      (r.apiGroups ?? []).flatMap((g) =>
        (r.resources ?? []).flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)),
      ),
    ),
  );

describe('agentAccessObjects', () => {
  it('puts the ServiceAccount, its token Secret and its Role in the namespace; one binding per namespace', () => {
    const objects = agentAccessObjects('agents-x');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/agents-x',
      'ServiceAccount/shipyard-agent',
      'ClusterRole/shipyard-agent',
      'ClusterRoleBinding/shipyard-agent:agents-x',
      'Secret/shipyard-agent-token',
      'Role/shipyard-agent',
      'RoleBinding/shipyard-agent',
    ]);
    for (const kind of ['ServiceAccount', 'Secret', 'Role', 'RoleBinding']) {
      expect(find(objects, kind).metadata.namespace).toBe('agents-x');
    }
    expect(find(objects, 'ClusterRoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'shipyard-agent', namespace: 'agents-x' },
    ]);
    expect(find(objects, 'Secret')).toMatchObject({
      type: 'kubernetes.io/service-account-token',
      metadata: { annotations: { 'kubernetes.io/service-account.name': 'shipyard-agent' } },
    });
    expect(agentAccessObjects()[0]?.metadata.name).toBe('shipyard-system');
  });

  it('grants the server exactly what it does in a cluster, and no Secrets', () => {
    const rules = find(agentAccessObjects(), 'ClusterRole').rules as Rule[];
    const g = grants(rules);
    for (const want of [
      '/users:impersonate',
      '/groups:impersonate',
      '/serviceaccounts:impersonate',
      '/namespaces:create',
      '/resourcequotas:delete',
      '/limitranges:patch',
      'networking.k8s.io/networkpolicies:update',
      'rbac.authorization.k8s.io/clusterroles:escalate',
      'rbac.authorization.k8s.io/rolebindings:bind',
      'rbac.authorization.k8s.io/clusterrolebindings:create',
      '/nodes:watch',
      '/events:list',
      'events.k8s.io/events:watch',
      '/pods:get',
      '/persistentvolumeclaims:list',
      'storage.k8s.io/storageclasses:get',
    ]) {
      expect(g, want).toContain(want);
    }
    expect([...g].filter((x) => /secrets|configmaps|\*/.test(x))).toEqual([]);
    expect(g).not.toContain('/pods:create');
    expect(g).not.toContain('/nodes:delete');
    expect(rules.find((r) => r.verbs.includes('get') && 'nonResourceURLs' in r)).toEqual({
      nonResourceURLs: ['/version', '/healthz', '/readyz'],
      verbs: ['get'],
    });
  });

  it('lets the agent touch only its own two Secrets in its namespace', () => {
    const rules = find(agentAccessObjects(), 'Role').rules as Rule[];
    expect(rules).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['shipyard-agent-state'],
        verbs: ['get', 'create', 'update', 'patch'],
      },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['shipyard-agent-token'], verbs: ['get'] },
    ]);
  });
});

describe('agentManifest', () => {
  it('adds the registration token, the server CA and a locked-down Deployment', () => {
    const objects = agentManifest({ ...opts, caPem: '-----BEGIN CERTIFICATE-----\nx\n' });
    expect(find(objects, 'Secret', 'shipyard-agent-registration')).toMatchObject({
      stringData: { token },
    });
    expect(find(objects, 'ConfigMap', 'shipyard-server-ca')).toMatchObject({
      data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nx\n' },
    });
    const deployment = find(objects, 'Deployment') as ManifestObject & {
      spec: {
        replicas: number;
        template: { metadata: { annotations: object }; spec: Record<string, unknown> };
      };
    };
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'shipyard.dev/registration': '0123456789ab',
    });
    expect(JSON.stringify(deployment)).not.toContain(token);
    const pod = deployment.spec.template.spec;
    expect(pod).toMatchObject({
      serviceAccountName: 'shipyard-agent',
      securityContext: { runAsNonRoot: true },
      containers: [
        {
          image: 'shipyard/agent:1',
          args: ['--server', 'https://shipyard.example.com', '--ca', '/etc/shipyard/ca.crt'],
          env: [
            {
              name: 'SHIPYARD_AGENT_TOKEN',
              valueFrom: { secretKeyRef: { name: 'shipyard-agent-registration', key: 'token' } },
            },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          ],
          securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true },
          resources: { requests: { cpu: expect.any(String) }, limits: { memory: expect.any(String) } },
        },
      ],
    });
    expect(JSON.stringify(pod.volumes)).toContain('shipyard-server-ca');
  });

  it('has no CA ConfigMap nor --ca without a CA', () => {
    const objects = agentManifest(opts);
    expect(objects.some((o) => o.kind === 'ConfigMap')).toBe(false);
    expect(JSON.stringify(find(objects, 'Deployment'))).not.toMatch(/--ca|server-ca/);
  });

  it('refuses what is not a registration token', () => {
    expect(() => agentManifest({ ...opts, registrationToken: `sya_0123456789ab_${'A'.repeat(43)}` })).toThrow(
      /syr_/,
    );
  });

  it('as YAML, parses back to the same objects', () => {
    for (const o of [opts, { ...opts, caPem: 'PEM\n', namespace: 'agents' }]) {
      const docs = parseAllDocuments(agentManifestYaml(o));
      expect(docs.every((d) => d.errors.length === 0)).toBe(true);
      expect(docs.map((d) => d.toJS() as unknown)).toEqual(agentManifest(o));
    }
  });
});
