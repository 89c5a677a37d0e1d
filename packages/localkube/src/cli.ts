import { parseArgs } from 'node:util';
import { down, downAll, get, list, up } from './cluster.js';
import { LocalkubeError } from './errors.js';

const usage = `usage:
  localkube up NAME [--nodes N] [--port PORT]   start a local cluster (kwokctl, binary runtime)
  localkube down NAME | --all                   stop and remove one or every local cluster
  localkube kubeconfig NAME                     print the path of a cluster's admin kubeconfig
  localkube list                                list the local clusters`;

function positiveInt(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new LocalkubeError(`--${flag} must be a whole number from 1 to ${max}, not "${value}"`);
  }
  return n;
}

function oneName(positionals: string[], command: string): string {
  const [name, ...rest] = positionals;
  if (!name || rest.length > 0) throw new LocalkubeError(`${command} takes one cluster NAME\n${usage}`);
  return name;
}

/** Runs the CLI; resolves the exit code. Output: results on stdout, one error line on stderr. */
export async function main(
  argv: string[],
  out: Pick<NodeJS.WritableStream, 'write'> = process.stdout,
  err: Pick<NodeJS.WritableStream, 'write'> = process.stderr,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        nodes: { type: 'string' },
        port: { type: 'string' },
        all: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      out.write(usage + '\n');
      return values.help ? 0 : 2;
    }
    switch (command) {
      case 'up': {
        const started = Date.now();
        const cluster = await up({
          name: oneName(rest, 'up'),
          nodes: positiveInt('nodes', values.nodes, 10_000),
          port: positiveInt('port', values.port, 65_535),
        });
        out.write(
          `cluster ${cluster.name} is up at ${cluster.server} in ${((Date.now() - started) / 1000).toFixed(1)}s\n` +
            `  kubectl --kubeconfig ${cluster.kubeconfig} get nodes\n`,
        );
        return 0;
      }
      case 'down': {
        if (values.all) {
          const names = await downAll();
          out.write(names.length ? `removed ${names.join(', ')}\n` : 'no local clusters\n');
        } else {
          const name = oneName(rest, 'down');
          await down(name);
          out.write(`removed ${name}\n`);
        }
        return 0;
      }
      case 'kubeconfig':
        out.write(get(oneName(rest, 'kubeconfig')).kubeconfig + '\n');
        return 0;
      case 'list':
        for (const c of list()) out.write(`${c.name}\t${c.server}\t${c.kubeconfig}\n`);
        return 0;
      default:
        throw new LocalkubeError(`unknown command "${command}"\n${usage}`);
    }
  } catch (e) {
    const message = e instanceof LocalkubeError || e instanceof TypeError ? e.message : String(e);
    err.write(`localkube: ${message}\n`);
    return 1;
  }
}
