/** LeaseApi against the management cluster: Leases of one namespace, each call bounded in time. */
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../runtime/kube-errors.js';
import { kubeRequest } from '../runtime/kube-request.js';
import { toLease, type Lease } from '../runtime/lease.js';
import type { LeaseApi } from './leases.js';

const timeoutMs = 5_000;

export class LeaseClient implements LeaseApi {
  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
  ) {}

  async get(name: string): Promise<Lease | undefined> {
    try {
      return this.parse(await kubeRequest(this.kc, { path: this.path(name), timeoutMs }));
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async apply(lease: Lease): Promise<Lease> {
    // No resourceVersion and no managedFields: either would make the apply conditional or invalid.
    const { name, namespace, labels, annotations } = lease.metadata;
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, labels, annotations },
      spec: lease.spec,
    };
    const written = await kubeRequest(this.kc, {
      method: 'PATCH',
      path: this.path(name),
      query: { fieldManager: 'shipyard', force: true },
      contentType: 'application/apply-patch+yaml', // JSON is YAML
      body,
      timeoutMs,
    });
    return this.parse(written);
  }

  async update(lease: Lease): Promise<Lease | 'conflict' | 'gone'> {
    try {
      const body = await kubeRequest(this.kc, {
        method: 'PUT',
        path: this.path(lease.metadata.name),
        body: lease,
        timeoutMs,
      });
      return this.parse(body);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) return 'conflict';
      if (err instanceof KubeApiError && err.status === 404) return 'gone';
      throw err;
    }
  }

  async remove(name: string, resourceVersion: string): Promise<'deleted' | 'conflict' | 'gone'> {
    try {
      await kubeRequest(this.kc, {
        method: 'DELETE',
        path: this.path(name),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion } },
        timeoutMs,
      });
      return 'deleted';
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) return 'conflict';
      if (err instanceof KubeApiError && err.status === 404) return 'gone';
      throw err;
    }
  }

  private path(name: string): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.namespace}/leases/${name}`;
  }

  private parse(body: unknown): Lease {
    const lease = toLease(body);
    if (!lease) throw new KubeApiError({ reason: 'BadResponse', message: 'a Lease came back malformed' });
    return lease;
  }
}
