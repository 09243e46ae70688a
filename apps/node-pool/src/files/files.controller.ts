import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PAGE_SIZE_DEFAULT, type FileView, type Page, toPage } from '@hivemind/contracts';
import { FilesQueryDto } from '@hivemind/contracts/dto';
import { AccountsService } from '../accounts/accounts.service';
import { type AuthUser, isAdmin } from '../accounts/auth-user';
import { Authenticated, CurrentUser } from '../accounts/auth.guards';
import { DomainError } from '../common/domain-error';
import { FilesRepository } from '../storage/files.repository';
import { FilePageResponse, toFileView } from './file.views';

@ApiTags('tasks')
@Authenticated()
@Controller('api/files')
export class FilesController {
  constructor(
    private readonly files: FilesRepository,
    private readonly accounts: AccountsService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Your stored files (task inputs, outputs, results), newest first; admins: user=<name> for another’s',
  })
  @ApiOkResponse({ type: FilePageResponse })
  async list(@CurrentUser() user: AuthUser, @Query() q: FilesQueryDto): Promise<Page<FileView>> {
    let ownerId = user.id;
    if (q.user !== undefined && q.user.toLowerCase() !== user.username.toLowerCase()) {
      if (!isAdmin(user)) {
        throw new DomainError('forbidden', 'only admins may list another user’s files');
      }
      const owner = await this.accounts.findByUsername(q.user);
      if (!owner) throw new DomainError('not_found', `no user ${q.user}`, { field: 'user' });
      ownerId = owner.id;
    }
    const limit = q.limit ?? PAGE_SIZE_DEFAULT;
    const rows = await this.files.pageByOwner(ownerId, { limit, afterId: q.cursor });
    return toPage(rows, limit, toFileView, (row) => row.id);
  }
}
