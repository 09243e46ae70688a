import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PAGE_SIZE_DEFAULT, toPage, type Page, type UserView } from '@hivemind/contracts';
import { UpdateUserDto, UsersQueryDto } from '@hivemind/contracts/dto';
import { DomainError } from '../common/domain-error';
import { AccountsService } from './accounts.service';
import { UserPageResponse, UserResponse, toUserView } from './account.views';
import { type AuthUser } from './auth-user';
import { AdminOnly, CurrentUser } from './auth.guards';

@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOperation({ summary: 'Users, by username' })
  @ApiOkResponse({ type: UserPageResponse })
  async list(@Query() query: UsersQueryDto): Promise<Page<UserView>> {
    const limit = query.limit ?? PAGE_SIZE_DEFAULT;
    const users = await this.accounts.listUsers({ limit, afterUsername: query.cursor, search: query.search });
    return toPage(users, limit, toUserView, (user) => user.username);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a user’s role, trust score or disabled flag' })
  @ApiOkResponse({ type: UserResponse })
  async update(
    @CurrentUser() admin: AuthUser,
    @Param(
      'id',
      new ParseUUIDPipe({
        exceptionFactory: () => new DomainError('invalid', 'id must be a user id (a UUID)', { field: 'id' }),
      }),
    )
    id: string,
    @Body() body: UpdateUserDto,
  ): Promise<UserView> {
    const user = await this.accounts.updateUser(admin, id, {
      role: body.role,
      trustScore: body.trust_score,
      disabled: body.disabled,
    });
    return toUserView(user);
  }
}
