import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultStateFile, FileStateStore, parseState, type AgentState } from './state.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agent-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const state: AgentState = {
  server: 'https://shipyard.example.com/',
  cluster: 'east',
  agentToken: `sya_0123456789ab_${'z'.repeat(43)}`,
  registrationTokenId: 'abcdefabcdef',
};

describe('FileStateStore', () => {
  it('round-trips, creating the directory; the file is 0600 and its directory 0700', async () => {
    const file = path.join(dir, 'new', 'sub', 'agent.json');
    const store = new FileStateStore(file);
    await expect(store.load()).resolves.toBeUndefined();
    await store.save(state);
    await expect(store.load()).resolves.toEqual(state);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('replaces by rename: the old inode is never written, and no temp file stays behind', async () => {
    const file = path.join(dir, 'replace.json');
    const store = new FileStateStore(file);
    await store.save(state);
    const before = statSync(file).ino;
    await store.save({ ...state, cluster: 'west' });
    expect(statSync(file).ino).not.toBe(before);
    await expect(store.load()).resolves.toMatchObject({ cluster: 'west' });
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('says which file is not a state, and how to recover', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{"server": "x"');
    await expect(new FileStateStore(file).load()).rejects.toThrow(
      `the state file ${file} is not an agent state {server, cluster, agentToken, registrationTokenId}; remove it to register again`,
    );
  });

  it('names a file it cannot write, leaving nothing behind', async () => {
    const blocker = path.join(dir, 'blocker');
    writeFileSync(blocker, '');
    await expect(new FileStateStore(path.join(blocker, 'agent.json')).save(state)).rejects.toThrow(
      /cannot write the state file .*blocker\/agent\.json/,
    );
  });
});

describe('parseState', () => {
  it('requires every field, and an agent token of the right shape', () => {
    expect(parseState(state, 'x')).toEqual(state);
    expect(parseState({ ...state, extra: 1 }, 'x')).toEqual(state);
    expect(() => parseState({ ...state, agentToken: 'syr_0123456789ab_' + 'z'.repeat(43) }, 'x')).toThrow(
      /x is not an agent state/,
    );
    expect(() => parseState({ ...state, cluster: undefined }, 'x')).toThrow(/not an agent state/);
    expect(() => parseState(null, 'x')).toThrow(/not an agent state/);
  });
});

describe('defaultStateFile', () => {
  it('is one file per API server under $HOME/.shipyard', () => {
    expect(defaultStateFile('/home/u', { host: '127.0.0.1', port: 34097 })).toBe(
      '/home/u/.shipyard/agent-127.0.0.1-34097.json',
    );
    expect(defaultStateFile('/home/u', { host: 'fd00::1', port: 6443 })).toBe(
      '/home/u/.shipyard/agent-fd00__1-6443.json',
    );
  });
});
