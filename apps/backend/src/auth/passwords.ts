import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's Password Storage Cheat Sheet minimum (m = 19 MiB,
 * t = 2, p = 1): about 50 ms a hash on this project's 2-core test machine,
 * slow for an attacker with a stolen table, cheap enough for a login.
 */
// algorithm 2 is Argon2id in @node-rs/argon2's Algorithm, a const enum verbatimModuleSyntax cannot import.
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash lets no one in
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends a verification's time on a hash nobody's password matches, so a
 * login for an unknown email takes as long as one with a wrong password and
 * the answer's timing does not tell which emails have accounts.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('no account has this password: it only spends the time');
  await verifyPassword(await dummyHash, password);
  return false;
}
