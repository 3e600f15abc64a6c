/** Password hashing: argon2id with the library's defaults. The only module that knows the algorithm. */
import { hash, verify } from '@node-rs/argon2';

/** The hash to store for a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Whether `password` matches a stored hash. */
export function verifyPassword(stored: string, password: string): Promise<boolean> {
  return verify(stored, password);
}

let dummyHash: Promise<string> | null = null;

/** Costs what checking a real password costs, for a sign-in whose email has none: timing tells nothing. */
export async function verifyNoPassword(password: string): Promise<void> {
  dummyHash ??= hash('klaxon: no such user');
  await verify(await dummyHash, password).catch(() => false);
}
