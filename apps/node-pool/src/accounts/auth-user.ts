import { UserRole } from '@hivemind/contracts';
import { type User } from './user.entity';

/** Who is calling: resolved from a valid token by the Authenticator, attached by the guards. */
export interface AuthUser {
  id: string;
  username: string;
  role: UserRole;
  trustScore: number;
}

export const toAuthUser = (user: User): AuthUser => ({
  id: user.id,
  username: user.username,
  role: user.role,
  trustScore: user.trustScore,
});

export const isAdmin = (user: Pick<AuthUser, 'role'>): boolean => user.role === UserRole.Admin;

/**
 * The one "owner or admin" rule: whether `user` may see or act on a thing that `ownerId` owns.
 * Callers answer 404 when it says no, so that the ids of other users' things do not leak.
 */
export function mayAccess(user: Pick<AuthUser, 'id' | 'role'>, ownerId: string | null | undefined): boolean {
  return isAdmin(user) || (ownerId !== null && ownerId !== undefined && ownerId === user.id);
}
