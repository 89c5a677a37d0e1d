import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, parseAgentArgs } from './cli.js';
import { AgentError } from './errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agent-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs main; `stopOn` stops it once a line of its output matches (without it, main starts stopped). */
async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  stopOn?: RegExp,
): Promise<{ code: number; err: string }> {
  let err = '';
  const stop = new AbortController();
  if (!stopOn) stop.abort();
  const write = (s: string): boolean => {
    err += s;
    if (stopOn?.test(s)) stop.abort();
    return true;
  };
  const code = await main(argv, { env, stop: stop.signal, err: { write } });
  return { code, err };
}

describe('parseAgentArgs', () => {
  it('takes the server, token, CA and kubeconfig', () => {
    const args = [
      '--server',
      'wss://s.example.com/api/v1/tunnel',
      '--token',
      't',
      '--ca',
      'ca.pem',
      '--kubeconfig',
      'kc',
    ];
    expect(parseAgentArgs(args, {})).toEqual({
      server: 'wss://s.example.com/api/v1/tunnel',
      token: 't',
      ca: 'ca.pem',
      kubeconfig: 'kc',
    });
  });

  it('reads the token from SHIPYARD_AGENT_TOKEN, so that it need not show in the process list', () => {
    expect(parseAgentArgs(['--server', 'wss://s/t'], { SHIPYARD_AGENT_TOKEN: 'from-env' })?.token).toBe(
      'from-env',
    );
  });

  it('says what is missing or wrong', () => {
    expect(() => parseAgentArgs(['--token', 't'], {})).toThrow(/--server URL is required/);
    expect(() => parseAgentArgs(['--server', 'wss://s/t'], {})).toThrow(/--token TOKEN/);
    expect(() => parseAgentArgs(['--server', 'ws://10.0.0.1/t', '--token', 't'], {})).toThrow(AgentError);
    expect(() => parseAgentArgs(['--server', 'wss://s/t', '--token', 't', 'extra'], {})).toThrow(
      /unexpected argument/,
    );
    expect(parseAgentArgs(['--help'], {})).toBeUndefined();
  });
});

describe('main', () => {
  it('exits 2 with one line on a mistake, and 0 with the usage for --help', async () => {
    expect(await run(['--server', 'ws://example.com/t', '--token', 't'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(
        /^shipyard-agent: --server ws:\/\/example\.com\/t: plain ws:\/\/ is allowed only/,
      ),
    });
    expect(await run(['--bogus'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/Unknown option '--bogus'/),
    });
    expect(await run(['--help'])).toMatchObject({
      code: 0,
      err: expect.stringMatching(/^usage: shipyard-agent/),
    });
  });

  it('needs a cluster or a kubeconfig to know its API server', async () => {
    const { code, err } = await run(['--server', 'ws://127.0.0.1:1/t', '--token', 't']);
    expect(code).toBe(2);
    expect(err).toMatch(/not running in a cluster .* give --kubeconfig FILE/);
  });

  it('names a CA file it cannot read', async () => {
    const { code, err } = await run(
      ['--server', 'ws://127.0.0.1:1/t', '--token', 't', '--ca', path.join(dir, 'nope.pem')],
      { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
    );
    expect(code).toBe(2);
    expect(err).toMatch(/cannot read --ca .*nope\.pem/);
  });

  it('runs until stopped, reporting each state on a line', async () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`,
    );
    const { code, err } = await run(
      ['--server', 'ws://127.0.0.1:1/t', '--token', 't', '--kubeconfig', kubeconfig],
      {},
      /reconnecting in/,
    );
    expect(code).toBe(0);
    const lines = err.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ shipyard-agent: /, ''))).toEqual([
      'connecting to ws://127.0.0.1:1/t',
      expect.stringMatching(/^connect ECONNREFUSED 127\.0\.0\.1:1; reconnecting in \d+\.\d s$/),
      'stopped',
    ]);
  });
});
