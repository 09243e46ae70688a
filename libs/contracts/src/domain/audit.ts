/**
 * The audit trail's words (docs/security.md "Audit trail"): what can be recorded, with which
 * outcome, and how the filters of `GET /api/admin/audit` read. Browser-safe: the console and the
 * CLI use the same names.
 */
export const AUDIT_ACTIONS = [
  'auth.register',
  'auth.login',
  'auth.logout',
  'auth.refresh',
  'wallet.transfer',
  'task.submit',
  'task.cancel',
  'admin.user_role',
  'admin.user_trust',
  'admin.user_disable',
  'admin.node_drain',
  'admin.node_undrain',
  'node.register',
  'node.revoke',
  'vpn.peer_create',
  'vpn.peer_revoke',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** `ok`: done; `refused`: answered with a refusal (a wrong password, too little CPT); `failed`: a fault. */
export const AUDIT_OUTCOMES = ['ok', 'refused', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_TARGET_TYPES = ['user', 'task', 'node', 'vpn_peer', 'ledger_transaction'] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

/** One recorded event, newest first in `GET /api/admin/audit`. */
export interface AuditEventView {
  id: string;
  /** The pool's clock (ISO 8601). */
  at: string;
  action: AuditAction;
  outcome: AuditOutcome;
  actor_id: string | null;
  actor_username: string | null;
  /** The client's address as the pool saw it (HTTP or gRPC peer). */
  address: string | null;
  /** X-Request-Id of the HTTP answer, or the gRPC call's `x-request-id` (else one made up). */
  request_id: string | null;
  target_type: AuditTargetType | null;
  target_id: string | null;
  detail: Record<string, unknown>;
}

/** `auth.login` (one action), `auth.*` or `auth` (every action under `auth.`). */
export const AUDIT_ACTION_FILTER_PATTERN = /^[a-z][a-z_]{0,31}(\.[a-z_]{1,32}|\.\*)?$/;
export const AUDIT_ACTION_FILTER_RULE = 'an action (auth.login) or a prefix (auth or auth.*)';

/** `user`, or `user:<id>`. */
export const AUDIT_TARGET_FILTER_PATTERN = /^[a-z_]{1,32}(:[\w.:-]{1,128})?$/;
export const AUDIT_TARGET_FILTER_RULE = 'a target type (task) or a type and id (task:<id>)';

export type AuditActionFilter = { exact: string } | { prefix: string };

/** How an `action` filter reads: one action when it names one, else every action under a prefix. */
export function auditActionFilter(value: string): AuditActionFilter {
  if (value.endsWith('.*')) return { prefix: value.slice(0, -1) };
  if (!value.includes('.')) return { prefix: `${value}.` };
  return { exact: value };
}

/** How a `target` filter reads: `task` or `task:<id>`. */
export function auditTargetFilter(value: string): { type: string; id?: string } {
  const colon = value.indexOf(':');
  return colon < 0 ? { type: value } : { type: value.slice(0, colon), id: value.slice(colon + 1) };
}
