// npm start: the platform on embedded defaults — a local management cluster and the server.
import path from 'node:path';
import { get, list, repoRoot, up } from '@shipyard/localkube';
import { configFrom, startServer } from '@shipyard/server';

const managementName = 'shipyard-management';

async function cluster(name: string) {
  if (list().some((c) => c.name === name)) return get(name);
  console.log(`starting local cluster ${name}…`);
  return up({ name, nodes: 1 });
}

const management = await cluster(managementName);
const config = configFrom(process.argv.slice(2), process.env);
const server = await startServer({
  ...config,
  kubeconfig: management.kubeconfig,
  dataDir: process.env.SHIPYARD_DATA_DIR ?? path.join(repoRoot(), '.cache/shipyard'),
});
console.log(`
Shipyard is up at ${server.url}
  management cluster: ${management.server} (kubeconfig ${management.kubeconfig})
  ${server.adminPassword ? `admin password: ${server.adminPassword}  (shown once; set SHIPYARD_ADMIN_PASSWORD to choose it)` : 'sign in as admin with the password printed on the first start'}
  stop with Ctrl-C; npx localkube down ${managementName} removes the cluster.`);
await new Promise<void>((resolve) => {
  const stop = () => void server.stop().then(resolve);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
