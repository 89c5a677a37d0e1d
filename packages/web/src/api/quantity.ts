/**
 * Kubernetes quantities checked and compared exactly as the API does, so a form refuses before submitting
 * what the server would refuse. The API's own parser, from its zod-free subpath (@shipyard/api/quantity):
 * the package's main entry would bring zod and every kind's schema into the bundle.
 */
import { isQuantity, parseQuantity, quantityPattern } from '@shipyard/api/quantity';

export { quantityPattern };
const quantityRe = new RegExp(quantityPattern);

/** Why `text` is not a quantity the API accepts: 'format' (the pattern), 'tooLarge' (over int64); or null. */
export function quantityProblem(text: string): 'format' | 'tooLarge' | null {
  if (!quantityRe.test(text)) return 'format';
  return isQuantity(text) ? null : 'tooLarge';
}

/** The quantity in milli-units (rounded up, as Kubernetes does), or undefined when the API would refuse it. */
export function parseMilli(text: string | undefined): bigint | undefined {
  return text !== undefined && isQuantity(text) ? parseQuantity(text) : undefined;
}
