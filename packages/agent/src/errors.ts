/** An error a person can act on: one line that says what went wrong and how to fix it. */
export class AgentError extends Error {
  override name = 'AgentError';
}
