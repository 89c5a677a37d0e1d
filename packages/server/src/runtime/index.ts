/** The controller runtime: one informer, one work queue, one reconcile loop, conditions, leader election. */
export { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
export {
  findCondition,
  formatTime,
  isConditionTrue,
  removeCondition,
  setCondition,
  type Condition,
  type ConditionInput,
  type ConditionStatus,
} from './conditions.js';
export {
  startController,
  type ControllerHandle,
  type ControllerOptions,
  type ControllerSource,
  type ReconcileResult,
} from './controller.js';
export { KubeInformer, startInformer } from './informer.js';
export type {
  ChangeType,
  Informer,
  InformerEvents,
  InformerOptions,
  InformerState,
} from './informer.types.js';
export { KubeApiError, toKubeApiError } from './kube-errors.js';
export { kubeRequest, listAll, type KubeRequest, type ListOptions } from './kube-request.js';
export { LeaderElector, type LeaderElectionOptions } from './leader.js';
export { defaultLogger, type Logger } from './logger.js';
export { counter, gauge, histogram } from './metrics.js';
export { objectKey, resourceOfPath, splitKey } from './object-key.js';
export { WorkQueue, type RateLimit, type WorkQueueOptions } from './queue.js';
