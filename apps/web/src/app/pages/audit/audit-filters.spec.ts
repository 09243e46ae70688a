import { type AuditEventView } from '@hivemind/contracts';
import {
  ACTION_CHOICES,
  NO_FILTERS,
  actorLabel,
  appendEvents,
  auditQuery,
  targetLabel,
} from './audit-filters';

describe(auditQuery.name, () => {
  it.each([
    ['no filters', NO_FILTERS, null, { limit: '50' }],
    ['an action', { ...NO_FILTERS, action: 'auth.login' }, null, { limit: '50', action: 'auth.login' }],
    ['an area', { ...NO_FILTERS, action: 'wallet.*' }, null, { limit: '50', action: 'wallet.*' }],
    ['an actor, lowercased', { ...NO_FILTERS, actor: ' Alice ' }, null, { limit: '50', actor: 'alice' }],
    ['an outcome', { ...NO_FILTERS, outcome: 'refused' as const }, null, { limit: '50', outcome: 'refused' }],
    ['a cursor', NO_FILTERS, '42', { limit: '50', cursor: '42' }],
  ])('%s', (_case, filters, cursor, params) => {
    expect(auditQuery(filters, cursor, 50)).toEqual({ params });
  });

  it('sends since as an ISO time', () => {
    const query = auditQuery({ ...NO_FILTERS, since: '2026-05-01T10:00' }, null, 50);
    expect(query.error).toBeUndefined();
    expect(query.error ? undefined : query.params['since']).toBe(new Date('2026-05-01T10:00').toISOString());
  });

  it.each([
    ['action', { ...NO_FILTERS, action: "auth'--" }],
    ['action', { ...NO_FILTERS, action: 'Auth.Login' }],
    ['actor', { ...NO_FILTERS, actor: 'a' }],
    ['actor', { ...NO_FILTERS, actor: 'x'.repeat(33) }],
    ['since', { ...NO_FILTERS, since: 'yesterday' }],
  ])('refuses a bad %s at its field', (field, filters) => {
    expect(auditQuery(filters, null, 50)).toMatchObject({ error: { field } });
  });

  it('offers every area before every action', () => {
    expect(ACTION_CHOICES.slice(0, 2)).toEqual(['auth.*', 'wallet.*']);
    expect(ACTION_CHOICES).toContain('admin.user_trust');
  });
});

describe(actorLabel.name, () => {
  it.each([
    ['the actor', { actor_username: 'alice', detail: {} }, 'alice'],
    ['the username tried', { actor_username: null, detail: { username: 'bob' } }, '(bob)'],
    ['nobody', { actor_username: null, detail: {} }, '—'],
  ])('%s', (_case, e, label) => {
    expect(actorLabel(e)).toBe(label);
  });
});

describe(targetLabel.name, () => {
  it.each([
    [
      'a UUID cut',
      { target_type: 'user' as const, target_id: 'a1b2c3d4-0000-4000-8000-000000000001' },
      'user:a1b2c3d4',
    ],
    [
      'another id whole',
      { target_type: 'ledger_transaction' as const, target_id: '42' },
      'ledger_transaction:42',
    ],
    ['none', { target_type: null, target_id: null }, '—'],
  ])('%s', (_case, e, label) => {
    expect(targetLabel(e)).toBe(label);
  });
});

describe(appendEvents.name, () => {
  it('appends a page, each event once', () => {
    const e = (id: string) => ({ id }) as AuditEventView;
    expect(appendEvents([e('3'), e('2')], [e('2'), e('1')]).map((x) => x.id)).toEqual(['3', '2', '1']);
  });
});
