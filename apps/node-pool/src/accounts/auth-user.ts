import { type UserRole } from '@hivemind/contracts';
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
