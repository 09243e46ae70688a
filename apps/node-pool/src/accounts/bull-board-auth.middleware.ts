import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { parseCookie } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import { UserRole } from '@hivemind/contracts';
import { sendError } from '../common/app-exception.filter';
import { DomainError } from '../common/domain-error';
import { AccountsService } from './accounts.service';
import { ADMIN_COOKIE, parseBearer } from './auth.guards';

/**
 * Guards Bull Board (/admin/queues), an Express router outside Nest's guards: an admin's access
 * token in `Authorization: Bearer` or in the `hivemind_token` cookie, else 401 / 403.
 */
@Injectable()
export class BullBoardAuthMiddleware implements NestMiddleware {
  private readonly logger = new Logger(BullBoardAuthMiddleware.name);

  constructor(private readonly accounts: AccountsService) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const token =
      parseBearer(req.headers.authorization) ?? parseCookie(req.headers.cookie ?? '')[ADMIN_COOKIE];
    try {
      if (!token)
        throw new DomainError('unauthenticated', 'Bull Board is for admins: log in to the console first');
      const user = await this.accounts.authenticate(token);
      if (user.role !== UserRole.Admin) throw new DomainError('forbidden', 'Bull Board is for admins only');
      next();
    } catch (error) {
      sendError(req, res, error, this.logger);
    }
  }
}
