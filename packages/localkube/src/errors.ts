/** An error a person can act on: one line that says what went wrong and how to fix it. */
export class LocalkubeError extends Error {
  override name = 'LocalkubeError';
}
