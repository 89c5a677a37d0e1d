/**
 * What an agent keeps after registering, so that a restart dials the tunnel again without the registration
 * token (which works once): `{server, cluster, agentToken, registrationTokenId}`. Out of a cluster it is a
 * JSON file only its user can read; in a cluster a Secret (state-secret.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isAgentToken } from './agent-token.js';
import type { Endpoint } from './api-server-endpoint.js';
import { AgentError } from './errors.js';

export interface AgentState {
  /** The server's base URL as serverUrl() normalises it: state for another server is not used. */
  server: string;
  /** The name the server gave this cluster. */
  cluster: string;
  /** sya_…: what the agent dials the tunnel with. */
  agentToken: string;
  /** The public id of the registration token this state came from: a different one means register anew. */
  registrationTokenId: string;
}

export interface StateStore {
  /** Where the state is, for messages: a path, or namespace/secret. */
  readonly where: string;
  /** The saved state, or undefined when there is none. */
  load(): Promise<AgentState | undefined>;
  save(state: AgentState): Promise<void>;
}

/** Checks a loaded value; `where` names the file or Secret in the error. */
export function parseState(value: unknown, where: string): AgentState {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { server, cluster, agentToken, registrationTokenId } = v;
  if (
    typeof server !== 'string' ||
    typeof cluster !== 'string' ||
    typeof registrationTokenId !== 'string' ||
    !isAgentToken(agentToken)
  ) {
    throw new AgentError(
      `${where} is not an agent state {server, cluster, agentToken, registrationTokenId}; remove it to register again`,
    );
  }
  return { server, cluster, agentToken, registrationTokenId };
}

/** $HOME/.shipyard/agent-<host>-<port>.json: one state per API server (one agent per cluster). */
export function defaultStateFile(home: string, apiServer: Endpoint): string {
  const host = apiServer.host.replace(/[^A-Za-z0-9.-]/g, '_');
  return path.join(home, '.shipyard', `agent-${host}-${apiServer.port}.json`);
}

/** A JSON file, mode 0600, replaced atomically: a crash mid-write leaves the old state or the new, never half. */
export class FileStateStore implements StateStore {
  constructor(readonly where: string) {}

  async load(): Promise<AgentState | undefined> {
    let text: string;
    try {
      text = await readFile(this.where, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AgentError(`cannot read the state file ${this.where}: ${(e as Error).message}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    return parseState(value, `the state file ${this.where}`);
  }

  async save(state: AgentState): Promise<void> {
    const dir = path.dirname(this.where);
    const temp = path.join(dir, `.${path.basename(this.where)}.${randomBytes(4).toString('hex')}.tmp`);
    let created = false;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // 'wx' with 0600: the token is never readable by others, not even for a moment.
      const file = await open(temp, 'wx', 0o600);
      created = true;
      try {
        await file.writeFile(JSON.stringify(state, null, 2) + '\n');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.where);
    } catch (e) {
      if (created) await rm(temp, { force: true });
      throw new AgentError(`cannot write the state file ${this.where}: ${(e as Error).message}`);
    }
  }
}
