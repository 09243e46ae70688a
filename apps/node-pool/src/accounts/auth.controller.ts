import { Body, Controller, Get, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
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
import { Authenticated, CurrentUser } from './auth.guards';

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
  async logout(@CurrentUser() user: AuthUser): Promise<void> {
    await this.accounts.logout(user.id);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Who you are' })
  @ApiOkResponse({ type: UserResponse })
  async me(@CurrentUser() user: AuthUser): Promise<UserView> {
    return toUserView(await this.accounts.profile(user.id));
  }
}
