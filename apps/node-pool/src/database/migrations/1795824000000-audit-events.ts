import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The audit trail (docs/security.md "Audit trail"): one row per security-relevant event,
 * append-only for the application. The trigger refuses UPDATE and TRUNCATE always, and DELETE
 * unless the transaction set `hivemind.audit_prune_before` (only the retention job does, with
 * SET LOCAL) and the row is older than that cutoff, itself at least 12 hours in the past (the
 * shortest retention is a day; the margin absorbs clock skew between a replica and PostgreSQL).
 */
export class AuditEvents1795824000000 implements MigrationInterface {
  name = 'AuditEvents1795824000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        action varchar(64) NOT NULL,
        outcome varchar(8) NOT NULL,
        actor_id uuid,
        actor_username varchar(32),
        address varchar(64),
        request_id varchar(128),
        target_type varchar(32),
        target_id varchar(128),
        detail jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT pk_audit_events PRIMARY KEY (id),
        CONSTRAINT chk_audit_events_outcome CHECK (outcome IN ('ok', 'refused', 'failed'))
      )`);
    await q.query(`CREATE INDEX idx_audit_events_at ON audit_events (at)`);
    await q.query(`CREATE INDEX idx_audit_events_action ON audit_events (action text_pattern_ops, id)`);
    await q.query(
      `CREATE INDEX idx_audit_events_actor ON audit_events (actor_username, id) WHERE actor_username IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX idx_audit_events_target ON audit_events (target_type, target_id, id) WHERE target_type IS NOT NULL`,
    );
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        cutoff text := current_setting('hivemind.audit_prune_before', true);
      BEGIN
        IF TG_OP = 'DELETE' AND coalesce(cutoff, '') <> ''
           AND cutoff::timestamptz <= now() - interval '12 hours'
           AND OLD.at < cutoff::timestamptz THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER trg_audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER trg_audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_append_only()`);
  }
}
