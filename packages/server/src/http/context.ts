import type { FastifyRequest } from 'fastify';
import { unauthorized } from './errors.js';

/**
 * Who is calling: set by authentication on every non-public route. auth/authenticate.ts adds the credential
 * the caller signed in with.
 */
export interface Caller {
  user: string;
  groups: string[];
}

/** What the audit record of a request says about its target; set by the handler before it acts. */
export type AuditTarget = {
  verb: string;
  kind?: string;
  name?: string;
  namespace?: string;
  cluster?: string;
  changes?: string[];
};

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
    auditTarget?: AuditTarget;
    auditId?: number;
    /** The reason of an error reply, for the audit record. */
    errorReason?: string;
  }
  interface FastifyContextConfig {
    /** No sign-in needed (login, health, metrics, OpenAPI). */
    public?: boolean;
  }
}

/** The request's caller; routes that are not public always have one. */
export function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw unauthorized();
  return req.caller;
}
