import { type UserView, UserRole } from '@hivemind/contracts';
import { fieldOf, mergeUsers, parseTrustScore, refusalFor, withField } from './user-edits';

describe(parseTrustScore.name, () => {
  it.each([
    ['0', 0],
    ['120', 120],
    [' 1000 ', 1000],
  ])('takes %p as %p', (text, value) => {
    expect(parseTrustScore(text)).toEqual({ value });
  });

  it.each([
    ['', 'Enter a trust score from 0 to 1000'],
    ['  ', 'Enter a trust score from 0 to 1000'],
    ['12.5', 'The trust score is a whole number from 0 to 1000'],
    ['-1', 'The trust score is a whole number from 0 to 1000'],
    ['1e3', 'The trust score is a whole number from 0 to 1000'],
    ['1001', 'The trust score goes from 0 to 1000'],
  ])('refuses %p: %s', (text, error) => {
    expect(parseTrustScore(text)).toEqual({ error });
  });
});

describe(fieldOf.name, () => {
  it('names the field a change is about', () => {
    expect(fieldOf({ role: UserRole.Admin })).toBe('role');
    expect(fieldOf({ trust_score: 3 })).toBe('trust_score');
    expect(fieldOf({ disabled: false })).toBe('disabled');
  });
});

describe(refusalFor.name, () => {
  it("prefers the server's message for the field", () => {
    const refusal = {
      message: 'trust_score must not be greater than 1000',
      fields: { trust_score: 'too big' },
    };
    expect(refusalFor('trust_score', refusal)).toBe('too big');
  });

  it('falls back to the whole message', () => {
    const refusal = { message: 'you cannot remove your own admin role or disable yourself', fields: {} };
    expect(refusalFor('role', refusal)).toBe(refusal.message);
  });
});

const user = (id: string, trust = 50): UserView => ({
  id,
  username: id,
  role: UserRole.User,
  trust_score: trust,
  disabled: false,
  created_at: '2026-01-01T00:00:00Z',
});

describe(withField.name, () => {
  // the answer to a trust change, read before a concurrent role change was saved
  const answer = { ...user('a', 120), role: UserRole.User };
  const shown = { ...user('a', 50), role: UserRole.Admin, disabled: true };

  it('takes only the changed field from the answer', () => {
    expect(withField(shown, answer, 'trust_score')).toEqual({ ...shown, trust_score: 120 });
    expect(withField(shown, answer, 'role')).toEqual({ ...shown, role: UserRole.User });
    expect(withField(shown, answer, 'disabled')).toEqual({ ...shown, disabled: false });
  });
});

describe(mergeUsers.name, () => {
  it('appends the next page', () => {
    expect(mergeUsers([user('a'), user('b')], [user('c')]).map((u) => u.id)).toEqual(['a', 'b', 'c']);
  });

  it('shows a user once, as the latest page has them', () => {
    const merged = mergeUsers([user('a'), user('b')], [user('b', 99), user('c')]);
    expect(merged.map((u) => [u.id, u.trust_score])).toEqual([
      ['a', 50],
      ['b', 99],
      ['c', 50],
    ]);
  });
});
