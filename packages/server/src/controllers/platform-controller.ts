import {
  startController,
  type ControllerHandle,
  type ControllerOptions,
  type Finalizable,
} from '../runtime/controller.js';
import type { ControllerDeps } from './access.controller.js';

/** A controller over the management cluster's objects (platform kinds, the server's Secrets), logging as the server. */
export function startPlatformController<T extends Finalizable>(
  deps: Pick<ControllerDeps, 'cache' | 'logger'>,
  opts: Omit<ControllerOptions<T>, 'cluster' | 'logger'>,
): ControllerHandle {
  return startController({ cluster: deps.cache.m.cluster, logger: deps.logger, ...opts });
}
