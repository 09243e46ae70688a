import {
  AUDIT_ACTION_FILTER_PATTERN,
  AUDIT_ACTIONS,
  type AuditEventView,
  type AuditOutcome,
  USERNAME_PATTERN,
} from '@hivemind/contracts';

/** The audit page's filters as typed: empty means "any". */
export interface AuditFilters {
  action: string;
  actor: string;
  outcome: '' | AuditOutcome;
  /** A `datetime-local` value (the browser's local time), or empty. */
  since: string;
}

export const NO_FILTERS: AuditFilters = { action: '', actor: '', outcome: '', since: '' };

/** The choices of the action filter: every area (a prefix), then every action. */
export const ACTION_CHOICES: readonly string[] = [
  ...new Set(AUDIT_ACTIONS.map((a) => `${a.split('.')[0]}.*`)),
  ...AUDIT_ACTIONS,
];

export type AuditQuery =
  | { params: Record<string, string>; error?: undefined }
  | { error: { field: keyof AuditFilters; message: string } };

/**
 * The query of `GET /api/admin/audit` for the filters and a page cursor, or the field that cannot be
 * sent (checked here as the pool checks it, so the message shows at its field before a request).
 */
export function auditQuery(filters: AuditFilters, cursor: string | null, limit: number): AuditQuery {
  const params: Record<string, string> = { limit: String(limit) };
  const action = filters.action.trim();
  if (action) {
    if (!AUDIT_ACTION_FILTER_PATTERN.test(action)) {
      return { error: { field: 'action', message: 'An action (auth.login) or an area (auth.*)' } };
    }
    params['action'] = action;
  }
  const actor = filters.actor.trim().toLowerCase();
  if (actor) {
    if (!USERNAME_PATTERN.test(actor)) {
      return { error: { field: 'actor', message: 'A username: 3–32 of a–z, 0–9, _ . -' } };
    }
    params['actor'] = actor;
  }
  if (filters.outcome) params['outcome'] = filters.outcome;
  if (filters.since) {
    const since = new Date(filters.since);
    if (Number.isNaN(since.getTime())) return { error: { field: 'since', message: 'A date and time' } };
    params['since'] = since.toISOString();
  }
  if (cursor) params['cursor'] = cursor;
  return { params };
}

/** Who acted: the user, or for a refused login the username tried, in parentheses. */
export function actorLabel(e: Pick<AuditEventView, 'actor_username' | 'detail'>): string {
  if (e.actor_username) return e.actor_username;
  return typeof e.detail['username'] === 'string' ? `(${e.detail['username']})` : '—';
}

/** `type:id`, a UUID cut to its first 8 characters (whole in the title). */
export function targetLabel(e: Pick<AuditEventView, 'target_type' | 'target_id'>): string {
  if (!e.target_type) return '—';
  const id = e.target_id ?? '';
  return `${e.target_type}:${/^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(id) ? id.slice(0, 8) : id}`;
}

/** Later pages appended to the shown rows, each event once (by id). */
export function appendEvents(
  shown: readonly AuditEventView[],
  page: readonly AuditEventView[],
): AuditEventView[] {
  const seen = new Set(shown.map((e) => e.id));
  return [...shown, ...page.filter((e) => !seen.has(e.id))];
}
