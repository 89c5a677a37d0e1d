/**
 * The two credentials an agent may be given, told apart by their prefix (the server's token shape,
 * `<prefix>_<12 hex id>_<43 base64url secret>`): a one-time registration token (syr_) that the agent exchanges
 * for its agent token (sya_), and an agent token itself, which it dials the tunnel with.
 */
import { AgentError } from './errors.js';

export type AgentCredential = { kind: 'registration' | 'agent'; token: string; id: string };

const shape = /^(syr|sya)_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** What kind of token this is; an AgentError for anything else (never echoing the token). */
export function parseAgentCredential(token: string): AgentCredential {
  const m = shape.exec(token.trim());
  if (!m?.[1] || !m[2]) {
    const looks = /^sy[a-z]_/.exec(token)?.[0];
    throw new AgentError(
      `the token ${looks ? `"${looks}…" ` : ''}is neither a registration token (syr_…) nor an agent token (sya_…)`,
    );
  }
  return { kind: m[1] === 'syr' ? 'registration' : 'agent', token: token.trim(), id: m[2] };
}

/** True for a string shaped like an agent token (for checking what a server sent back). */
export function isAgentToken(token: unknown): token is string {
  return typeof token === 'string' && shape.test(token) && token.startsWith('sya_');
}
