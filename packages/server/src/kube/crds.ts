import { crdFor, kindList } from '@shipyard/api';
import { kubeRequest } from '../runtime/kube-request.js';
import type { Management, PlatformObjects } from './management.js';

type CrdStatus = { status?: { conditions?: { type: string; status: string }[] } };

/** Applies every platform CRD (server-side apply) and waits until each is Established. */
export async function ensureCrds(m: Management, objects: PlatformObjects, timeoutMs = 60_000): Promise<void> {
  const crds = kindList.map(crdFor);
  await Promise.all(
    crds.map((crd) =>
      objects.apply(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        crd,
        crd.metadata.name,
      ),
    ),
  );
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    for (;;) {
      const got = (await kubeRequest(m.kc, {
        path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      })) as CrdStatus;
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${crd.metadata.name} is not established after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Creates the server's namespace (Secrets, Lease) if it is missing. */
export async function ensureNamespace(m: Management, objects: PlatformObjects): Promise<void> {
  await objects.apply(
    `/api/v1/namespaces/${m.namespace}`,
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: m.namespace, labels: { 'app.kubernetes.io/part-of': 'shipyard' } },
    },
    `namespace ${m.namespace}`,
  );
}
