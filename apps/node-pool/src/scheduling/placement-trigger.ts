import { Injectable } from '@nestjs/common';

/**
 * Asks for a placement pass soon: called when capacity may have appeared (a node registers or comes
 * back online, an attempt ends) or work arrived (a task is submitted). Requests within a pass are
 * coalesced; calling it often is cheap.
 */
@Injectable()
export class PlacementTrigger {
  request(_reason: string): void {
    // wired to the placement queue by the scheduler (issue 4, step 3)
  }
}
