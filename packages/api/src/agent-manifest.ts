/**
 * What a user cluster needs for its Shipyard agent, written once: the access objects (ServiceAccount, its
 * RBAC and its long-lived token) that the agent applies itself when it runs with an admin kubeconfig, and
 * the in-cluster manifest (those plus the agent's Deployment) that an admin applies with kubectl.
 * The agent hands the ServiceAccount's token to the server at registration; the server then reaches the
 * API server through the tunnel as that ServiceAccount, impersonating the platform's users.
 */
import { stringify } from 'yaml';

export const AGENT_NAMESPACE = 'shipyard-system';
/** The agent's ServiceAccount, ClusterRole and Deployment. */
export const AGENT_NAME = 'shipyard-agent';
/** Secret of type service-account-token: the long-lived token the server uses. */
export const AGENT_TOKEN_SECRET = 'shipyard-agent-token';
/** Secret where an in-cluster agent keeps `{server, cluster, agentToken}` after registering. */
export const AGENT_STATE_SECRET = 'shipyard-agent-state';
/** Secret holding the one-time registration token (key `token`), read into SHIPYARD_AGENT_TOKEN. */
export const AGENT_REGISTRATION_SECRET = 'shipyard-agent-registration';
/** ConfigMap with the server's CA (key `ca.crt`), when the server's certificate needs one. */
export const AGENT_SERVER_CA_CONFIGMAP = 'shipyard-server-ca';
/** The field manager of everything the agent applies. */
export const AGENT_FIELD_MANAGER = 'shipyard-agent';

/** A Kubernetes object as plain data (this package does no I/O and knows no client library). */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

const labels = { 'app.kubernetes.io/name': AGENT_NAME, 'app.kubernetes.io/part-of': 'shipyard' };
const allVerbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const read = ['get', 'list', 'watch'];

/**
 * Exactly what the server does in a user cluster: impersonate the platform's users (the cluster's own RBAC
 * then decides); manage partitions (namespaces, quotas, limit ranges, network policies); write the RBAC it
 * generates from role templates (escalate and bind, since those grant rights the ServiceAccount itself
 * lacks); read what the console shows; probe health.
 */
export const agentClusterRules: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] },
  { apiGroups: [''], resources: ['namespaces', 'resourcequotas', 'limitranges'], verbs: allVerbs },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: allVerbs },
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
    verbs: [...allVerbs, 'escalate', 'bind'],
  },
  {
    apiGroups: [''],
    resources: ['nodes', 'events', 'pods', 'services', 'persistentvolumes', 'persistentvolumeclaims'],
    verbs: read,
  },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: read },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: read },
  { nonResourceURLs: ['/version', '/healthz', '/readyz'], verbs: ['get'] },
];

/**
 * The agent's own Secrets, by name. `create` limited to a name works for server-side apply (the apiserver
 * authorizes an apply that creates with the object's name), which is how the agent writes its state.
 */
export const agentNamespaceRules: readonly PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['secrets'],
    resourceNames: [AGENT_STATE_SECRET],
    verbs: ['get', 'create', 'update', 'patch'],
  },
  { apiGroups: [''], resources: ['secrets'], resourceNames: [AGENT_TOKEN_SECRET], verbs: ['get'] },
];

/** The name of the ClusterRoleBinding for an agent namespace (cluster-scoped, so one per namespace). */
export const agentClusterRoleBindingName = (namespace: string): string => `${AGENT_NAME}:${namespace}`;

/** The cluster access objects, in the order they can be applied. */
export function agentAccessObjects(namespace: string = AGENT_NAMESPACE): ManifestObject[] {
  const meta = (name: string): ManifestObject['metadata'] => ({ name, namespace, labels });
  const subject = { kind: 'ServiceAccount', name: AGENT_NAME, namespace };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(AGENT_NAME) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: AGENT_NAME, labels },
      rules: agentClusterRules,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: agentClusterRoleBindingName(namespace), labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_NAME },
      subjects: [subject],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        ...meta(AGENT_TOKEN_SECRET),
        annotations: { 'kubernetes.io/service-account.name': AGENT_NAME },
      },
      type: 'kubernetes.io/service-account-token',
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(AGENT_NAME),
      rules: agentNamespaceRules,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(AGENT_NAME),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AGENT_NAME },
      subjects: [subject],
    },
  ];
}

export interface AgentManifestOptions {
  /** The server's base URL, https://shipyard.example.com. */
  server: string;
  /** syr_…: one-time; the agent exchanges it for its agent token on first start. */
  registrationToken: string;
  /** PEM of the CA that the server's certificate chains to, when the system roots do not vouch for it. */
  caPem?: string;
  image: string;
  namespace?: string;
}

const CA_DIR = '/etc/shipyard';

/** Everything an admin applies to join a cluster: the access objects, the token, the CA and the agent. */
export function agentManifest(opts: AgentManifestOptions): ManifestObject[] {
  const namespace = opts.namespace ?? AGENT_NAMESPACE;
  const meta = (name: string): ManifestObject['metadata'] => ({ name, namespace, labels });
  const objects = agentAccessObjects(namespace);
  objects.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(AGENT_REGISTRATION_SECRET),
    type: 'Opaque',
    stringData: { token: opts.registrationToken },
  });
  if (opts.caPem !== undefined) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(AGENT_SERVER_CA_CONFIGMAP),
      data: { 'ca.crt': opts.caPem },
    });
  }
  objects.push(agentDeployment({ ...opts, namespace }));
  return objects;
}

function agentDeployment(opts: AgentManifestOptions & { namespace: string }): ManifestObject {
  const ca = opts.caPem !== undefined;
  const selector = { 'app.kubernetes.io/name': AGENT_NAME };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: AGENT_NAME, namespace: opts.namespace, labels },
    spec: {
      replicas: 1,
      // Two agents of one cluster replace each other at the server: the old one must be gone first.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels,
          // A new registration token (a re-applied manifest) rolls the agent, which then registers anew.
          annotations: { 'shipyard.dev/registration': registrationTokenId(opts.registrationToken) },
        },
        spec: {
          serviceAccountName: AGENT_NAME,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'agent',
              image: opts.image,
              args: ['--server', opts.server, ...(ca ? ['--ca', `${CA_DIR}/ca.crt`] : [])],
              env: [
                {
                  name: 'SHIPYARD_AGENT_TOKEN',
                  valueFrom: { secretKeyRef: { name: AGENT_REGISTRATION_SECRET, key: 'token' } },
                },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              securityContext: {
                runAsNonRoot: true,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              resources: {
                requests: { cpu: '50m', memory: '96Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                ...(ca ? [{ name: 'server-ca', mountPath: CA_DIR, readOnly: true }] : []),
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ...(ca ? [{ name: 'server-ca', configMap: { name: AGENT_SERVER_CA_CONFIGMAP } }] : []),
          ],
        },
      },
    },
  };
}

/** The public id part of a syr_<id>_<secret> token (never the secret). */
function registrationTokenId(token: string): string {
  const id = /^syr_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(token)?.[1];
  if (id === undefined) throw new Error('the registration token must look like syr_<12 hex>_<43 base64url>');
  return id;
}

/** agentManifest as one multi-document YAML, for `kubectl apply -f -`. */
export function agentManifestYaml(opts: AgentManifestOptions): string {
  return agentManifest(opts)
    .map((o) => '---\n' + stringify(o, { lineWidth: 0 }))
    .join('');
}
