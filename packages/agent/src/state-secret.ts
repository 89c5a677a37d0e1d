/**
 * The agent's state in a cluster: the Secret shipyard-agent-state in the pod's namespace, read and written
 * with the pod's ServiceAccount (its Role allows exactly this Secret). Written by server-side apply, which
 * the apiserver authorizes by name even when it creates.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { AGENT_STATE_SECRET } from '@shipyard/api';
import { applyObjects, readSecret } from './kube.js';
import { parseState, type AgentState, type StateStore } from './state.js';

export class SecretStateStore implements StateStore {
  readonly where: string;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
  ) {
    this.where = `Secret ${namespace}/${AGENT_STATE_SECRET}`;
  }

  async load(): Promise<AgentState | undefined> {
    const secret = await readSecret(this.kc, this.namespace, AGENT_STATE_SECRET);
    if (!secret) return undefined;
    const data = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
    return parseState(data, `the ${this.where}`);
  }

  async save(state: AgentState): Promise<void> {
    const data = Object.fromEntries(
      Object.entries(state).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    );
    await applyObjects(this.kc, [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: AGENT_STATE_SECRET, namespace: this.namespace },
        type: 'Opaque',
        data,
      },
    ]);
  }
}
