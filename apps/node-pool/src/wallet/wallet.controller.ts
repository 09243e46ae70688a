import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  PAGE_SIZE_DEFAULT,
  toPage,
  type LedgerMovementView,
  type Page,
  type TransferResultView,
} from '@hivemind/contracts';
import { PageQueryDto, TransferDto } from '@hivemind/contracts/dto';
import { DomainError } from '../common/domain-error';
import { idempotencyKeyOf } from '../common/idempotency-key';
import { type AuthUser } from '../accounts/auth-user';
import { Authenticated, CurrentUser } from '../accounts/auth.guards';
import { WalletService } from './wallet.service';
import {
  LedgerHistoryResponse,
  TransferResponse,
  WalletResponse,
  toMovementView,
  toWalletView,
} from './wallet.views';

@ApiTags('wallet')
@Authenticated()
@Controller('api/wallet')
export class WalletController {
  constructor(private readonly wallets: WalletService) {}

  @Get()
  @ApiOperation({ summary: 'Your CPT: balance, held in escrow, available' })
  @ApiOkResponse({ type: WalletResponse })
  async wallet(@CurrentUser() user: AuthUser): Promise<WalletResponse> {
    return toWalletView(await this.wallets.wallet(user));
  }

  @Post('transfer')
  @ApiOperation({ summary: 'Send CPT to another user' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retried request with the same key moves the CPT once (up to 128 printable characters)',
  })
  @ApiOkResponse({ type: TransferResponse, description: '201 when made, 200 when replayed for the same key' })
  async transfer(
    @CurrentUser() user: AuthUser,
    @Body() body: TransferDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TransferResultView> {
    const result = await this.wallets.transfer(user, body.to, body.amount, {
      idempotencyKey: idempotencyKeyOf(idempotencyKey),
      memo: body.memo,
    });
    res.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    return {
      transaction_id: result.transactionId,
      created: result.created,
      wallet: toWalletView(result.wallet),
    };
  }

  @Get('history')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Your ledger movements, newest first' })
  @ApiOkResponse({ type: LedgerHistoryResponse })
  async history(
    @CurrentUser() user: AuthUser,
    @Query() query: PageQueryDto,
  ): Promise<Page<LedgerMovementView>> {
    const limit = query.limit ?? PAGE_SIZE_DEFAULT;
    const before = query.cursor;
    if (before !== undefined && !/^\d{1,19}$/.test(before)) {
      throw new DomainError('invalid', 'cursor must be the next_cursor of an earlier page', {
        field: 'cursor',
      });
    }
    const rows = await this.wallets.history(user, limit, before);
    return toPage(rows, limit, toMovementView, (row) => row.id);
  }
}
