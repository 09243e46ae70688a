import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The ledger's system accounts: `mint` (source of sign-up grants), `escrow` and `platform`. */
export class LedgerSystemAccounts1795478400000 implements MigrationInterface {
  name = 'LedgerSystemAccounts1795478400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO ledger_accounts (account) VALUES ('mint'), ('escrow'), ('platform') ON CONFLICT DO NOTHING`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // only while nothing has moved through them; otherwise the entries' foreign keys refuse
    await q.query(`DELETE FROM ledger_accounts WHERE account IN ('mint', 'escrow', 'platform')`);
  }
}
