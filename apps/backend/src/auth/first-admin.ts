import type { FastifyBaseLogger } from 'fastify';
import type { AuthConfig } from '../config.js';
import { hashPassword } from './passwords.js';
import type { UserRepository } from './user-repository.js';

/**
 * At start with ECG_AUTH=on: while no user exists, ADMIN_EMAIL and
 * ADMIN_PASSWORD become the first admin (several backends starting at once
 * make one: UserRepository.create's onlyIfNone). Without them, the log says
 * how to make one from the setup page. Once any user exists the variables
 * are ignored, so a changed ADMIN_PASSWORD never resets a real account.
 */
export async function ensureFirstAdmin(
  users: Pick<UserRepository, 'count' | 'create'>,
  auth: Pick<AuthConfig, 'enabled' | 'admin'>,
  localUrl: string,
  log: FastifyBaseLogger,
): Promise<void> {
  if (!auth.enabled || (await users.count()) > 0) return;
  if (!auth.admin) {
    log.warn(
      `ECG_AUTH=on and no account exists yet: open ${localUrl} in a browser on this machine to create the first admin, or set ADMIN_EMAIL and ADMIN_PASSWORD`,
    );
    return;
  }
  const made = await users.create(
    { email: auth.admin.email, passwordHash: await hashPassword(auth.admin.password), role: 'admin' },
    { onlyIfNone: true },
  );
  if (made) log.info({ userId: made.id, email: made.email }, 'first admin created from ADMIN_EMAIL');
}
