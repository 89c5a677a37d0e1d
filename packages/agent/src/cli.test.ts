import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, parseAgentArgs } from './cli.js';
import { AgentError } from './errors.js';
import { FileStateStore } from './state.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agent-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const secret = 'x'.repeat(43);
const SYR = `syr_0123456789ab_${secret}`;
const SYA = `sya_0123456789ab_${secret}`;

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

/** What the agent saves once it has registered as cluster east with `server`. */
const saveState = (file: string, server: string) =>
  new FileStateStore(file).save({
    server,
    cluster: 'east',
    agentToken: SYA,
    registrationTokenId: '0123456789ab',
  });

/** main without a token, with the test kubeconfig and a state file, against a server that nothing answers. */
const runWithState = (state: string) =>
  run(['--server', 'http://127.0.0.1:1', '--kubeconfig', kubeconfig, '--state', state]);

describe('parseAgentArgs', () => {
  it('takes the server, token, CA, kubeconfig, state file and namespace', () => {
    const args = [
      '--server',
      'https://s.example.com',
      '--token',
      SYR,
      '--ca',
      'ca.pem',
      '--kubeconfig',
      'kc',
    ];
    expect(parseAgentArgs([...args, '--state', 'st.json', '--namespace', 'agents'], {})).toEqual({
      server: 'https://s.example.com',
      token: SYR,
      ca: 'ca.pem',
      kubeconfig: 'kc',
      state: 'st.json',
      namespace: 'agents',
    });
  });

  it('reads the token from SHIPYARD_AGENT_TOKEN, so that it need not show in the process list', () => {
    expect(parseAgentArgs(['--server', 'https://s'], { SHIPYARD_AGENT_TOKEN: SYA })?.token).toBe(SYA);
    expect(
      parseAgentArgs(['--server', 'https://s', '--token', SYR], { SHIPYARD_AGENT_TOKEN: SYA })?.token,
    ).toBe(SYR);
  });

  it('needs no token: a restart uses the saved state', () => {
    expect(parseAgentArgs(['--server', 'https://s'], { SHIPYARD_AGENT_TOKEN: '' })?.token).toBeUndefined();
  });

  it('says what is missing or wrong', () => {
    expect(() => parseAgentArgs(['--token', SYR], {})).toThrow(/--server URL is required/);
    expect(() => parseAgentArgs(['--server', 'https://s', '--token', 'agent-token'], {})).toThrow(
      /neither a registration token \(syr_…\) nor an agent token \(sya_…\)/,
    );
    expect(() => parseAgentArgs(['--server', 'http://10.0.0.1', '--token', SYR], {})).toThrow(AgentError);
    expect(() => parseAgentArgs(['--server', 'wss://s/api/v1/tunnel'], {})).toThrow(/not its tunnel URL/);
    expect(() => parseAgentArgs(['--server', 'https://s', '--namespace', 'Bad_NS'], {})).toThrow(
      /not a namespace name/,
    );
    expect(() => parseAgentArgs(['--server', 'https://s', '--state', ''], {})).toThrow(
      /--state needs a value/,
    );
    expect(() => parseAgentArgs(['--server', 'https://s', 'extra'], {})).toThrow(/unexpected argument/);
    expect(() => parseAgentArgs(['--server', 'https://s', '--state'], {})).toThrow(/argument missing/);
    expect(parseAgentArgs(['--help'], {})).toBeUndefined();
  });
});

describe('main', () => {
  it('exits 2 with one line on a mistake, and 0 with the usage for --help', async () => {
    expect(await run(['--server', 'http://example.com', '--token', SYA])).toMatchObject({
      code: 2,
      err: expect.stringMatching(
        /^shipyard-agent: --server http:\/\/example\.com: plain http:\/\/ is allowed only/,
      ),
    });
    expect(await run(['--bogus'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/Unknown option '--bogus'/),
    });
    expect(await run(['--help'])).toMatchObject({
      code: 0,
      err: expect.stringMatching(/^usage: shipyard-agent[^]*exit: 0 stopped, 2 usage .*4 credential refused/),
    });
  });

  it('needs a cluster or a kubeconfig to know its API server', async () => {
    const { code, err } = await run(['--server', 'http://127.0.0.1:1', '--token', SYA]);
    expect(code).toBe(2);
    expect(err).toMatch(/not running in a cluster .* give --kubeconfig FILE/);
  });

  it('names a CA file it cannot read', async () => {
    const { code, err } = await run(
      ['--server', 'http://127.0.0.1:1', '--token', SYA, '--ca', path.join(dir, 'nope.pem')],
      { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
    );
    expect(code).toBe(2);
    expect(err).toMatch(/cannot read --ca .*nope\.pem/);
  });

  it('without a token or saved state, says where it looked and what to give', async () => {
    const state = path.join(dir, 'none.json');
    const { code, err } = await runWithState(state);
    expect(code).toBe(2);
    expect(err).toBe(
      `shipyard-agent: ${state} holds no agent token for http://127.0.0.1:1/: give a registration token (--token syr_… or SHIPYARD_AGENT_TOKEN)\n`,
    );
  });

  it('saved state for another server is not used', async () => {
    const state = path.join(dir, 'other.json');
    await saveState(state, 'https://other.example.com/');
    const { code, err } = await runWithState(state);
    expect(code).toBe(2);
    expect(err).toMatch(/holds no agent token for http:\/\/127\.0\.0\.1:1\//);
  });

  it('runs until stopped with an agent token given directly, reporting each state on a line', async () => {
    const { code, err } = await run(
      ['--server', 'http://127.0.0.1:1', '--token', SYA, '--kubeconfig', kubeconfig],
      { HOME: path.join(dir, 'home') },
      /reconnecting in/,
    );
    expect(code).toBe(0);
    const lines = err.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ shipyard-agent: /, ''))).toEqual([
      'connecting to ws://127.0.0.1:1/api/v1/tunnel',
      expect.stringMatching(/^connect ECONNREFUSED 127\.0\.0\.1:1; reconnecting in \d+\.\d s$/),
      'stopped',
    ]);
  });

  it('dials with the saved agent token when there is state for this server', async () => {
    const state = path.join(dir, 'saved.json');
    await saveState(state, 'http://127.0.0.1:1/');
    // The same registration token again (as a Deployment's env keeps giving it): the state wins.
    const { code, err } = await run(
      ['--server', 'http://127.0.0.1:1', '--token', SYR, '--kubeconfig', kubeconfig, '--state', state],
      {},
      /reconnecting in/,
    );
    expect(code).toBe(0);
    expect(err).toMatch(
      new RegExp(`shipyard-agent: cluster east: using the agent token saved in ${state}\n`),
    );
    expect(err).toMatch(/connecting to ws:\/\/127\.0\.0\.1:1\/api\/v1\/tunnel/);
  });
});
