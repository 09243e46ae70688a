import { UserRole } from '@hivemind/contracts';
import { isAdmin, mayAccess } from './auth-user';

describe(mayAccess.name, () => {
  const alice = { id: 'a', role: UserRole.User };
  const root = { id: 'r', role: UserRole.Admin };

  it.each([
    ['the owner', alice, 'a', true],
    ['another user', alice, 'b', false],
    ['a thing with no owner, for a user', alice, null, false],
    ['an admin, anyone’s', root, 'b', true],
    ['an admin, a thing with no owner', root, undefined, true],
  ])('%s → %s', (_, user, ownerId, expected) => {
    expect(mayAccess(user, ownerId)).toBe(expected);
  });

  it('knows an admin', () => {
    expect([isAdmin(alice), isAdmin(root)]).toEqual([false, true]);
  });
});
