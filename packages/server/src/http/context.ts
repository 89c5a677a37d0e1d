import type { Credential } from '../auth/credentials.js';

/** Who is calling: set by authentication on every non-public route. */
export type Caller = { user: string; groups: string[]; credential: Credential };

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
