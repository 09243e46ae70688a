import { DomainError } from '../common/domain-error';
import { PasswordStrength } from './password-strength';

// a real checker thread (zxcvbn in a worker), as the node pool runs it
describe(PasswordStrength.name, () => {
  let strength: PasswordStrength;
  beforeEach(() => {
    strength = new PasswordStrength();
  });
  afterEach(() => strength.onModuleDestroy());

  it.each([
    ['short', 'alice', /at least 10 characters/],
    ['password123', 'alice', /too weak: .*common/i],
    ['alice-alice-alice', 'alice', /too weak/],
    ['1234567890', 'bob', /too weak/],
    ['qwertyuiop', 'bob', /too weak/],
    ['x'.repeat(129), 'bob', /at most 128 characters/],
  ])('refuses %j for %s with a reason', async (password, username, reason) => {
    expect(await strength.weakness(password, username)).toMatch(reason);
  });

  it.each(['correct-horse-battery-staple', 'Tr0ub4dor&3-lamp', 'violet kettle 93 orbit'])(
    'accepts %j',
    async (password) => {
      expect(await strength.weakness(password, 'alice')).toBeUndefined();
    },
  );

  it('refuses a length without starting the checker, and starts it for an estimate', async () => {
    expect(await strength.weakness('x'.repeat(200), 'alice')).toMatch(/at most/);
    expect(strength.running).toBe(false);
    await strength.weakness('violet kettle 93 orbit', 'alice');
    expect(strength.running).toBe(true);
  });

  it('refuses checks past the ones it lets wait, and answers the others', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => strength.weakness(`violet kettle ${i} orbit`, 'alice')),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(8);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(DomainError);
      expect((r.reason as DomainError).kind).toBe('unavailable');
    }
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(32);
  });

  it('refuses the checks waiting when it stops, and stops its thread', async () => {
    const refused = expect(strength.weakness('a'.repeat(100), 'alice')).rejects.toThrow(/shutting down/);
    await strength.onModuleDestroy();
    await refused;
    expect(strength.running).toBe(false);
  });
});
