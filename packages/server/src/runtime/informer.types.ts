/** The informer's contract: what caches and controllers rely on (KubeInformer implements it; tests fake it). */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { BackoffOptions } from './backoff.js';
import type { KubeApiError } from './kube-errors.js';
import type { Logger } from './logger.js';

export type InformerState = 'syncing' | 'ready' | 'retrying' | 'failed' | 'stopped';
export type ChangeType = 'add' | 'update' | 'delete';

export interface InformerEvents<T> {
  add: (obj: T) => void;
  /** `old` is the stored object before the change, when known. */
  update: (obj: T, old: T | undefined) => void;
  delete: (obj: T) => void;
  change: (obj: T, type: ChangeType, old: T | undefined) => void;
  state: (state: InformerState, error: KubeApiError | undefined) => void;
}

export interface Informer<T extends KubernetesObject = KubernetesObject> {
  readonly cluster: string;
  readonly path: string;
  /** `configmaps`, `tenants.shipyard.dev`: the label in logs and metrics. */
  readonly resource: string;
  readonly state: InformerState;
  readonly hasSynced: boolean;
  readonly lastError: KubeApiError | undefined;
  /** Starts listing and watching; a second call does nothing. */
  start(): void;
  /** Resolves once the store holds a full list and the watch is established; rejects if it fails or stops first. */
  synced(): Promise<void>;
  list(namespace?: string): readonly T[];
  get(name: string, namespace?: string): T | undefined;
  /** Returns the function that removes the handler. */
  on<E extends keyof InformerEvents<T>>(event: E, handler: InformerEvents<T>[E]): () => void;
  /** The store and its resourceVersion, e.g. to resume a new informer from (`resumeFrom`). */
  snapshot(): { resourceVersion: string; items: readonly T[] };
  stop(): Promise<void>;
}

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** The cluster's name: a label of every log line and metric. */
  cluster: string;
  /** Collection path: /api/v1/namespaces/x/configmaps, /apis/shipyard.dev/v1alpha1/tenants… */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-list after this long without any event or bookmark (default 180 s; bookmarks come about every minute). */
  silenceMs?: number;
  /** Retry rhythm after failures (default 1 s doubling to 30 s, ±25 %). */
  backoff?: BackoffOptions;
  /** A watch that lasted this long counts as healthy and resets the backoff (default 30 s). */
  healthyAfterMs?: number;
  listTimeoutMs?: number;
  pageSize?: number;
  /** Server-side timeout of each watch request (default random 300–600 s). */
  watchTimeoutSeconds?: () => number;
  /**
   * Start from this store instead of a list and watch from its resourceVersion. synced() resolves once
   * that watch is established; if the resourceVersion has expired (410) a re-list follows at once and
   * its differences arrive as add/update/delete.
   */
  resumeFrom?: { resourceVersion: string; items: readonly T[] };
  logger?: Logger;
}
