import { startBindingController, startUserController, type ControllerDeps } from './access.controller.js';
import { startRbacController } from './rbac.controller.js';
import { startClusterStatusController } from '../clusters/cluster-status.controller.js';
import { startLedgerController } from '../tenancy/ledger.controller.js';
import { startPartitionControllers } from '../tenancy/partition.controller.js';

/** What only the leader runs: the controllers, and pruning of expired credentials. */
export function startLeaderWork(deps: ControllerDeps): () => Promise<void> {
  const controllers = [
    startUserController(deps),
    startBindingController(deps),
    startRbacController(deps),
    startClusterStatusController(deps),
    startLedgerController(deps),
    ...startPartitionControllers(deps),
  ];
  const prune = () =>
    deps.credentials
      .pruneExpired()
      .then((n) => n && deps.logger.info({ removed: n }, 'expired credentials removed'))
      .catch((err: unknown) => deps.logger.error({ err }, 'pruning credentials failed'));
  void prune();
  const timer = setInterval(prune, 10 * 60_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await Promise.all(controllers.map((c) => c.stop()));
  };
}
