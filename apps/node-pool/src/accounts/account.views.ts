import { ApiProperty } from '@nestjs/swagger';
import { type SessionView, type UserView, UserRole, type Page } from '@hivemind/contracts';
import type { LoginResponse, UserInfo } from '@hivemind/contracts/grpc';
import { type Session } from './accounts.service';
import { type User } from './user.entity';

export class UserResponse implements UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ enum: UserRole }) role!: UserRole;
  @ApiProperty() trust_score!: number;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class SessionResponse implements SessionView {
  @ApiProperty({ description: 'JWT; send as `Authorization: Bearer <access_token>`' }) access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ description: 'exchange at POST /api/auth/refresh for a new pair' }) refresh_token!: string;
  @ApiProperty({ type: UserResponse }) user!: UserResponse;
}

export class UserPageResponse implements Page<UserView> {
  @ApiProperty({ type: [UserResponse] }) items!: UserResponse[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export const toUserView = (user: User): UserView => ({
  id: user.id,
  username: user.username,
  role: user.role,
  trust_score: user.trustScore,
  disabled: user.disabledAt !== null,
  created_at: user.createdAt.toISOString(),
});

export const toSessionView = (session: Session): SessionView => ({
  access_token: session.accessToken,
  token_type: 'Bearer',
  expires_at: session.expiresAt.toISOString(),
  refresh_token: session.refreshToken,
  user: toUserView(session.user),
});

/** A user as gRPC `UserService` answers it (the seed's UserInfo). */
export const toUserInfo = (user: User): UserInfo => ({
  id: user.id,
  username: user.username,
  role: user.role,
  trust_score: user.trustScore,
  created_at: user.createdAt.toISOString(),
});

/** A new session as gRPC `Login` and `RefreshToken` answer it. */
export const toLoginAnswer = (session: Session): LoginResponse => ({
  success: true,
  message: `logged in as ${session.user.username}`,
  token: session.accessToken,
  refresh_token: session.refreshToken,
  expires_at: session.expiresAt.toISOString(),
  user: toUserInfo(session.user),
});
