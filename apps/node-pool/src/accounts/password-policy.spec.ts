import { passwordWeakness } from './password-policy';

describe(passwordWeakness.name, () => {
  it.each([
    ['short', 'alice', /at least 10 characters/],
    ['password123', 'alice', /too weak: .*common/i],
    ['alice-alice-alice', 'alice', /too weak/],
    ['1234567890', 'bob', /too weak/],
    ['qwertyuiop', 'bob', /too weak/],
    ['x'.repeat(129), 'bob', /at most 128 characters/],
  ])('refuses %j for %s with a reason', (password, username, reason) => {
    expect(passwordWeakness(password, username)).toMatch(reason);
  });

  it.each(['correct-horse-battery-staple', 'Tr0ub4dor&3-lamp', 'violet kettle 93 orbit'])(
    'accepts %j',
    (password) => {
      expect(passwordWeakness(password, 'alice')).toBeUndefined();
    },
  );
});
