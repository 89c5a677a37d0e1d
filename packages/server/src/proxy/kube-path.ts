/** What a Kubernetes API path names, for the audit log: /apis/apps/v1/namespaces/web/deployments/front. */
export type KubeTarget = {
  group: string;
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
};

export function parseKubePath(path: string): KubeTarget {
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  let rest: string[];
  let group = '';
  if (parts[0] === 'api') rest = parts.slice(2);
  else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    rest = parts.slice(3);
  } else return { group };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  if (resource === 'namespaces' && !namespace) return { group, resource, name, subresource };
  return { group, resource, namespace, name, subresource };
}
