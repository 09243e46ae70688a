import { type AuditReport, LedgerService } from '../../src/ledger/ledger.service';
import { type TestNodePool } from './test-node-pool';

/** The pool's ledger audit (LedgerService.audit), for tests outside the node pool (tests only). */
export function auditLedger(pool: TestNodePool): Promise<AuditReport> {
  return pool.app.get(LedgerService).audit();
}
