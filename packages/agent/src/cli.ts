/** shipyard-agent: opens the cluster's tunnel to the Shipyard server and keeps it open. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { inClusterEndpoint, kubeconfigEndpoint, type Endpoint } from './api-server-endpoint.js';
import { AgentError } from './errors.js';
import { TunnelClient, type TunnelClientState } from './tunnel-client.js';
import { tunnelUrl } from './tunnel-url.js';

const usage = `usage: shipyard-agent --server URL --token TOKEN [--ca FILE] [--kubeconfig FILE]
  --server URL        the server's tunnel endpoint, wss://HOST/api/v1/tunnel (plain ws:// only to 127.0.0.1)
  --token TOKEN       this cluster's agent token (or the SHIPYARD_AGENT_TOKEN environment variable)
  --ca FILE           PEM CA that the server's certificate must chain to (default: the system's roots)
  --kubeconfig FILE   outside a cluster: reach the API server of this kubeconfig's current cluster
                      (in a cluster the agent uses KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT)`;

/** Exit code when a newer agent of the same cluster took over. */
export const EXIT_REPLACED = 3;

export interface AgentArgs {
  server: string;
  token: string;
  ca?: string;
  kubeconfig?: string;
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  if (positionals.length > 0) throw new AgentError(`unexpected argument "${positionals[0]}"\n${usage}`);
  const token = values.token ?? env.SHIPYARD_AGENT_TOKEN;
  if (!values.server) throw new AgentError(`--server URL is required\n${usage}`);
  if (!token) throw new AgentError(`--token TOKEN (or SHIPYARD_AGENT_TOKEN) is required\n${usage}`);
  tunnelUrl(values.server);
  return { server: values.server, token, ca: values.ca, kubeconfig: values.kubeconfig };
}

export interface MainOptions {
  err?: Pick<NodeJS.WritableStream, 'write'>;
  env?: NodeJS.ProcessEnv;
  /** Stops the agent (default: SIGINT or SIGTERM). */
  stop?: AbortSignal;
}

/** Runs the agent until stopped (exit 0) or replaced by a newer agent (exit 3); 2 for a usage or setup error. */
export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  const err = opts.err ?? process.stderr;
  const env = opts.env ?? process.env;
  const say = (line: string): void => void err.write(`${new Date().toISOString()} shipyard-agent: ${line}\n`);
  let client: TunnelClient;
  try {
    const args = parseAgentArgs(argv, env);
    if (!args) {
      err.write(usage + '\n');
      return 0;
    }
    const apiServer: Endpoint = args.kubeconfig
      ? await kubeconfigEndpoint(args.kubeconfig)
      : inClusterEndpoint(env);
    const ca = args.ca ? await readCa(args.ca) : undefined;
    client = new TunnelClient({ url: args.server, token: args.token, ca, apiServer });
  } catch (e) {
    if (!(e instanceof AgentError) && !(e instanceof TypeError)) throw e;
    err.write(`shipyard-agent: ${e.message}\n`);
    return 2;
  }
  const stop = opts.stop ?? signals();
  if (stop.aborted) return 0;
  return new Promise<number>((resolve) => {
    client.on('state', (state: TunnelClientState, detail: string) => {
      say(detail);
      if (state === 'replaced') resolve(EXIT_REPLACED);
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
