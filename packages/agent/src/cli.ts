/** shipyard-agent: registers the cluster with the Shipyard server (once), then keeps its tunnel open. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseAgentCredential } from './agent-token.js';
import { AgentError, CredentialRefused } from './errors.js';
import type { ReconnectBackoff } from './reconnect-backoff.js';
import { startup } from './startup.js';
import { TunnelClient, type TunnelClientState } from './tunnel-client.js';
import { serverUrl } from './tunnel-url.js';

const usage = `usage: shipyard-agent --server URL [--token TOKEN] [--ca FILE] [--kubeconfig FILE] [--state FILE] [--namespace NS]
  --server URL        the server's base URL, https://shipyard.example.com (plain http:// only to 127.0.0.1)
  --token TOKEN       a registration token (syr_…, used once, then the saved agent token is) or an agent
                      token (sya_…, used as is); or the SHIPYARD_AGENT_TOKEN environment variable
  --ca FILE           PEM CA that the server's certificate must chain to (default: the system's roots)
  --kubeconfig FILE   outside a cluster: an admin kubeconfig; the agent sets up its ServiceAccount with it and
                      serves the API server of its current cluster (in a cluster: KUBERNETES_SERVICE_HOST/PORT)
  --state FILE        where to keep the registration (default outside a cluster:
                      $HOME/.shipyard/agent-<host>-<port>.json; in a cluster: Secret shipyard-agent-state)
  --namespace NS      the agent's namespace (default: POD_NAMESPACE, else shipyard-system)
exit: 0 stopped, 2 usage or setup error, 3 replaced by a newer agent, 4 credential refused by the server`;

export const EXIT_USAGE = 2;
/** Exit code when a newer agent of the same cluster took over. */
export const EXIT_REPLACED = 3;
/** Exit code when the server refused the registration token or the agent token: a person must act. */
export const EXIT_REFUSED = 4;

export interface AgentArgs {
  server: string;
  token?: string;
  ca?: string;
  kubeconfig?: string;
  state?: string;
  namespace?: string;
}

/** The command line as values; `undefined` for --help. Throws AgentError with the usage on a mistake. */
export function parseAgentArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentArgs | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      ca: { type: 'string' },
      kubeconfig: { type: 'string' },
      state: { type: 'string' },
      namespace: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  if (positionals.length > 0) throw new AgentError(`unexpected argument "${positionals[0]}"\n${usage}`);
  if (!values.server) throw new AgentError(`--server URL is required\n${usage}`);
  serverUrl(values.server);
  const token = values.token ?? (env.SHIPYARD_AGENT_TOKEN || undefined);
  if (token !== undefined) parseAgentCredential(token);
  for (const flag of ['state', 'namespace', 'ca', 'kubeconfig'] as const) {
    if (values[flag] === '') throw new AgentError(`--${flag} needs a value\n${usage}`);
  }
  if (values.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.namespace)) {
    throw new AgentError(`--namespace "${values.namespace}" is not a namespace name`);
  }
  return {
    server: values.server,
    token,
    ca: values.ca,
    kubeconfig: values.kubeconfig,
    state: values.state,
    namespace: values.namespace,
  };
}

export interface MainOptions {
  err?: Pick<NodeJS.WritableStream, 'write'>;
  env?: NodeJS.ProcessEnv;
  /** Stops the agent (default: SIGINT or SIGTERM). */
  stop?: AbortSignal;
  /** Where a pod's ServiceAccount is mounted (default /var/run/secrets/kubernetes.io/serviceaccount). */
  serviceAccountDir?: string;
  /** Backoff of registration retries and tunnel reconnects (default 0.5 s doubling to 30 s). */
  backoff?: ReconnectBackoff;
}

/**
 * Runs the agent until stopped (exit 0), replaced by a newer agent (3) or refused by the server (4);
 * 2 for a usage or setup error.
 */
export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  const err = opts.err ?? process.stderr;
  const env = opts.env ?? process.env;
  const say = (line: string): void => void err.write(`${new Date().toISOString()} shipyard-agent: ${line}\n`);
  const stop = opts.stop ?? signals();
  let client: TunnelClient;
  try {
    const args = parseAgentArgs(argv, env);
    if (!args) {
      err.write(usage + '\n');
      return 0;
    }
    const ca = args.ca ? await readCa(args.ca) : undefined;
    const started = await startup({
      args: { ...args, ca },
      env,
      say,
      signal: stop,
      serviceAccountDir: opts.serviceAccountDir,
      registerBackoff: opts.backoff,
    });
    if (!started) return 0;
    client = new TunnelClient({
      server: args.server,
      token: started.agentToken,
      ca,
      apiServer: started.apiServer,
      backoff: opts.backoff,
    });
  } catch (e) {
    if (e instanceof CredentialRefused) {
      err.write(`shipyard-agent: ${e.message}\n`);
      return EXIT_REFUSED;
    }
    if (!(e instanceof AgentError) && !(e instanceof TypeError)) throw e;
    err.write(`shipyard-agent: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (stop.aborted) return 0;
  return new Promise<number>((resolve) => {
    client.on('state', (state: TunnelClientState, detail: string) => {
      say(detail);
      if (state === 'replaced') resolve(EXIT_REPLACED);
      if (state === 'refused') resolve(EXIT_REFUSED);
    });
    stop.addEventListener('abort', () => void client.stop().then(() => resolve(0)), { once: true });
    client.start();
  });
}

async function readCa(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new AgentError(`cannot read --ca ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function signals(): AbortSignal {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort).once('SIGTERM', abort);
  return controller.signal;
}
