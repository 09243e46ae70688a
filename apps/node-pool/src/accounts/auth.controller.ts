import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Ip, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { type SessionView, type UserView } from '@hivemind/contracts';
import { CredentialsDto, LoginDto, RefreshDto } from '@hivemind/contracts/dto';
import { AccountsService } from './accounts.service';
import { SessionResponse, UserResponse, toSessionView, toUserView } from './account.views';
import { type AuthUser } from './auth-user';
import { AdminOnly, Authenticated, CurrentUser, parseBearer, tokenExpiresAt } from './auth.guards';
import { boardSessionCookie, clearedBoardSessionCookie } from './board-session-cookie';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('auth/register')
  @ApiOperation({ summary: 'Create an account (with the sign-up grant) and log in' })
  @ApiCreatedResponse({ type: SessionResponse })
  async register(@Body() body: CredentialsDto, @Ip() address: string): Promise<SessionView> {
    return toSessionView(await this.accounts.register(body.username, body.password, address));
  }

  @Post('auth/login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in; rate-limited per username and per address' })
  @ApiOkResponse({ type: SessionResponse })
  async login(@Body() body: LoginDto, @Ip() address: string): Promise<SessionView> {
    return toSessionView(await this.accounts.login(body.username, body.password, address));
  }

  @Post('auth/refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange a refresh token for a new token pair' })
  @ApiOkResponse({ type: SessionResponse })
  async refresh(@Body() body: RefreshDto): Promise<SessionView> {
    return toSessionView(await this.accounts.refresh(body.refresh_token));
  }

  @Post('auth/logout')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Log out everywhere: every token issued so far stops working' })
  @ApiNoContentResponse()
  async logout(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.accounts.logout(user.id);
    res.setHeader('Set-Cookie', clearedBoardSessionCookie(req.secure));
  }

  @Post('auth/board-session')
  @AdminOnly()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Open Bull Board: sets the HttpOnly hivemind_token cookie (Path=/admin) from your bearer token',
    description:
      'The cookie is HttpOnly, SameSite=Strict, Secure under TLS, and expires with the token, so that a plain link opens /admin/queues. Admins only.',
  })
  @ApiNoContentResponse()
  boardSession(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    const token = parseBearer(req.headers.authorization) ?? '';
    res.setHeader('Set-Cookie', boardSessionCookie(token, tokenExpiresAt(token), Date.now(), req.secure));
  }

  @Delete('auth/board-session')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Forget the Bull Board cookie (the console does so when its session ends)' })
  @ApiNoContentResponse()
  endBoardSession(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.setHeader('Set-Cookie', clearedBoardSessionCookie(req.secure));
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Who you are' })
  @ApiOkResponse({ type: UserResponse })
  async me(@CurrentUser() user: AuthUser): Promise<UserView> {
    return toUserView(await this.accounts.profile(user.id));
  }
}
