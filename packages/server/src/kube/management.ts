import { KubeConfig } from '@kubernetes/client-node';
import { apiVersion, type KindDef } from '@shipyard/api';
import { fromKube } from '../http/errors.js';
import { kubeRequest, listAll } from '../runtime/kube-request.js';

/** The management cluster: where platform state lives (CRDs) and the server keeps its Secrets and Lease. */
export type Management = { kc: KubeConfig; namespace: string; cluster: 'management' };

export function management(opts: { kubeconfig?: string; namespace: string }): Management {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  return { kc, namespace: opts.namespace, cluster: 'management' };
}

export function kindPath(d: KindDef, name?: string, sub?: 'status'): string {
  const base = `/apis/${apiVersion}/${d.plural}`;
  if (!name) return base;
  return `${base}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
}

export type Stored = { metadata: { name: string; resourceVersion?: string } } & Record<string, unknown>;

/** Generic writes of platform objects; every failure becomes an ApiError. */
export class PlatformObjects {
  constructor(private readonly m: Management) {}

  /** The server's own namespace in the management cluster (its Secrets, Leases). */
  get namespace(): string {
    return this.m.namespace;
  }

  private async send<T>(what: string, req: Parameters<typeof kubeRequest>[1]): Promise<T> {
    try {
      return (await kubeRequest(this.m.kc, { timeoutMs: 15_000, ...req })) as T;
    } catch (err) {
      throw fromKube(err, what);
    }
  }

  get(d: KindDef, name: string): Promise<Stored> {
    return this.send(`${d.kind} ${name}`, { path: kindPath(d, name) });
  }

  /** Every object of the kind as the apiserver has it now (not a cache): for decisions a cache may not make. */
  async list(d: KindDef): Promise<Stored[]> {
    try {
      return (await listAll(this.m.kc, { path: kindPath(d), timeoutMs: 15_000 }))
        .items as unknown as Stored[];
    } catch (err) {
      throw fromKube(err, d.plural);
    }
  }

  create(d: KindDef, body: object): Promise<Stored> {
    const name = (body as Stored).metadata?.name ?? '';
    return this.send(`${d.kind} ${name}`, { method: 'POST', path: kindPath(d), body });
  }

  replace(d: KindDef, name: string, body: object): Promise<Stored> {
    return this.send(`${d.kind} ${name}`, { method: 'PUT', path: kindPath(d, name), body });
  }

  replaceStatus(d: KindDef, name: string, body: object): Promise<Stored> {
    return this.send(`${d.kind} ${name} status`, { method: 'PUT', path: kindPath(d, name, 'status'), body });
  }

  mergePatchStatus(d: KindDef, name: string, status: object): Promise<Stored> {
    return this.send(`${d.kind} ${name} status`, {
      method: 'PATCH',
      path: kindPath(d, name, 'status'),
      body: { status },
      contentType: 'application/merge-patch+json',
    });
  }

  /** Deletes; with a resourceVersion, only the object as it was then (409 if it has changed since). */
  delete(d: KindDef, name: string, precondition: { resourceVersion?: string } = {}): Promise<unknown> {
    const { resourceVersion } = precondition;
    const body = resourceVersion
      ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion } }
      : undefined;
    return this.send(`${d.kind} ${name}`, { method: 'DELETE', path: kindPath(d, name), body });
  }

  /** Server-side apply (fieldManager shipyard): create or converge an object we own. */
  apply(path: string, body: object, what: string): Promise<Stored> {
    return this.send(what, {
      method: 'PATCH',
      path,
      query: { fieldManager: 'shipyard', force: true },
      body,
      contentType: 'application/apply-patch+yaml',
    });
  }
}
