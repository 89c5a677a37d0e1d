import { parseArgs } from 'node:util';
import { defaultConfig, startServer, type ServerConfig } from './server.js';
import { adminPasswordNotice } from './bootstrap.js';

const usage = `usage: shipyard server [--kubeconfig FILE] [--port N] [--host ADDR] [--data-dir DIR]
environment: SHIPYARD_PORT, SHIPYARD_TLS_PORT, SHIPYARD_TLS_HOSTS, SHIPYARD_PUBLIC_URL, SHIPYARD_HOST, SHIPYARD_DATA_DIR, SHIPYARD_DATABASE_URL (PostgreSQL for the audit log),
  SHIPYARD_ADMIN_PASSWORD (first start), SHIPYARD_NAMESPACE, SHIPYARD_AUDIT_RETENTION_DAYS, SHIPYARD_LOG_LEVEL,
  SHIPYARD_IDENTITY, SHIPYARD_PEER_URL (https://HOST:PORT where other replicas reach this one; in a pod, its IP)`;

function int(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new Error(`${name} must be a whole number from 0 to ${max}`);
  return n;
}

function peerUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('SHIPYARD_PEER_URL must be a URL such as https://10.0.0.7:8443');
  }
  if (url.protocol !== 'https:') throw new Error('SHIPYARD_PEER_URL must be an https:// URL');
  return value;
}

/** The server's configuration from flags, then environment, then defaults. */
export function configFrom(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  return {
    ...defaultConfig,
    kubeconfig: values.kubeconfig ?? env.KUBECONFIG,
    port: int('port', values.port ?? env.SHIPYARD_PORT, defaultConfig.port, 65_535),
    tlsPort: int('SHIPYARD_TLS_PORT', env.SHIPYARD_TLS_PORT, defaultConfig.tlsPort, 65_535),
    tlsHosts: (env.SHIPYARD_TLS_HOSTS ?? '').split(',').filter(Boolean),
    publicUrl: env.SHIPYARD_PUBLIC_URL || undefined,
    host: values.host ?? env.SHIPYARD_HOST ?? defaultConfig.host,
    dataDir: values['data-dir'] ?? env.SHIPYARD_DATA_DIR ?? defaultConfig.dataDir,
    databaseUrl: env.SHIPYARD_DATABASE_URL || undefined,
    adminPassword: env.SHIPYARD_ADMIN_PASSWORD || undefined,
    namespace: env.SHIPYARD_NAMESPACE ?? defaultConfig.namespace,
    auditRetentionDays: int('SHIPYARD_AUDIT_RETENTION_DAYS', env.SHIPYARD_AUDIT_RETENTION_DAYS, 180, 36_500),
    logLevel: env.SHIPYARD_LOG_LEVEL ?? defaultConfig.logLevel,
    identity: env.SHIPYARD_IDENTITY || undefined,
    peerUrl: peerUrl(env.SHIPYARD_PEER_URL),
  };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'server') {
    process.stderr.write(usage + '\n');
    return 2;
  }
  let config: ServerConfig;
  try {
    config = configFrom(rest, process.env);
  } catch (e) {
    process.stderr.write(`shipyard: ${(e as Error).message}\n${usage}\n`);
    return 2;
  }
  const server = await startServer(config);
  process.stdout.write(`shipyard: serving at ${server.url}\n`);
  if (server.adminPassword) process.stdout.write(`shipyard: ${adminPasswordNotice(server.adminPassword)}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void server.stop().then(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
