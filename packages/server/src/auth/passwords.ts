import { hash, verify } from '@node-rs/argon2';
import { invalid } from '../http/errors.js';

// algorithm 2 is Argon2id (a const enum in @node-rs/argon2's types).
const options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const minPasswordLength = 8;

export function checkPassword(password: unknown, field = 'spec.password'): string {
  if (typeof password !== 'string') throw invalid('password must be a string', field);
  if (password.length < minPasswordLength) {
    throw invalid(`password must be at least ${minPasswordLength} characters`, field);
  }
  if (password.length > 1024) throw invalid('password must be at most 1024 characters', field);
  return password;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

// Verified when the user is unknown, so a wrong name costs the same time as a wrong password.
const decoy = hash('decoy-password-never-matches', options);

/** Whether the password matches the stored argon2id hash (or, with no hash, spends the same time and says no). */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (!stored) {
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
