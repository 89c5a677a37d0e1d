/**
 * The few Kubernetes calls the agent makes (server-side apply of its own objects, reading its Secrets),
 * through client-node, with failures turned into one line a person can act on.
 */
import { ApiException, CoreV1Api, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { AGENT_FIELD_MANAGER, type ManifestObject } from '@shipyard/api';
import { AgentError } from './errors.js';

/** The HTTP status of a failed call, or undefined when no answer came (network, TLS). */
export function kubeStatus(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The apiserver's own message for a failed call (its Status body), else the error's. */
export function kubeMessage(err: unknown): string {
  if (err instanceof ApiException) {
    let body: unknown = err.body;
    if (typeof err.body === 'string') {
      const text = err.body;
      try {
        body = JSON.parse(text);
      } catch {
        return `${err.code}: ${text.slice(0, 200)}`;
      }
    }
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' ? message : `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}

const describe = (o: { kind?: string; metadata?: { name?: string; namespace?: string } }): string =>
  `${o.kind ?? 'object'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? ''}`;

/** Server-side apply (fieldManager shipyard-agent, forced): creates or converges, safe to repeat. */
export async function applyObjects(kc: KubeConfig, objects: readonly ManifestObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const o of objects) {
    try {
      await client.patch(
        o as KubernetesObject,
        undefined,
        undefined,
        AGENT_FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      );
    } catch (e) {
      throw new AgentError(`cannot apply ${describe(o)}: ${kubeMessage(e)}`);
    }
  }
}

/** A Secret, or undefined when there is none by that name. */
export async function readSecret(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<V1Secret | undefined> {
  try {
    return await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name, namespace });
  } catch (e) {
    if (kubeStatus(e) === 404) return undefined;
    throw new AgentError(`cannot read Secret ${namespace}/${name}: ${kubeMessage(e)}`);
  }
}
