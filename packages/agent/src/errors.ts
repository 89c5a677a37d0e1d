/** An error a person can act on: one line that says what went wrong and how to fix it. */
export class AgentError extends Error {
  override name = 'AgentError';
}

/** The server refused the agent's credential (HTTP 401): retrying cannot help, a person must act. */
export class CredentialRefused extends AgentError {
  override name = 'CredentialRefused';
}
