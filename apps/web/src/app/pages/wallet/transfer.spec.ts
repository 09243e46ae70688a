import {
  checkTransfer,
  counterpartyOf,
  keyFor,
  mayHaveHappened,
  movementKind,
  newIdempotencyKey,
  signedAmount,
} from './transfer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe(checkTransfer.name, () => {
  it('makes the request: the username normalised, the note trimmed and left out when empty', () => {
    expect(checkTransfer({ to: '  Bob ', amount: 25, memo: '' })).toEqual({
      request: { to: 'bob', amount: 25 },
    });
    expect(checkTransfer({ to: 'bob', amount: '7', memo: ' for the GPU ' })).toEqual({
      request: { to: 'bob', amount: 7, memo: 'for the GPU' },
    });
  });

  it.each([
    ['no recipient', { to: '', amount: 1, memo: '' }, 'to', /Enter the username/],
    ['a bad username', { to: 'b!', amount: 1, memo: '' }, 'to', /Not a username/],
    ['oneself', { to: 'Alice', amount: 1, memo: '' }, 'to', /yourself/],
    ['no amount', { to: 'bob', amount: null, memo: '' }, 'amount', /Enter an amount/],
    ['an empty amount', { to: 'bob', amount: '', memo: '' }, 'amount', /Enter an amount/],
    ['a fraction', { to: 'bob', amount: 2.5, memo: '' }, 'amount', /whole number/],
    ['words', { to: 'bob', amount: 'ten', memo: '' }, 'amount', /whole number/],
    ['zero', { to: 'bob', amount: 0, memo: '' }, 'amount', /At least 1/],
    ['a negative amount', { to: 'bob', amount: -3, memo: '' }, 'amount', /At least 1/],
    ['an absurd amount', { to: 'bob', amount: 2 ** 60, memo: '' }, 'amount', /more CPT than exist/],
    ['a long note', { to: 'bob', amount: 1, memo: 'x'.repeat(201) }, 'memo', /At most 200/],
  ])('refuses %s at its field', (_case, input, field, message) => {
    const check = checkTransfer(input, 'alice');
    expect(check.request).toBeUndefined();
    expect(check.fields).toEqual({ [field]: expect.stringMatching(message) });
  });

  it('names every wrong field at once', () => {
    expect(Object.keys(checkTransfer({ to: '', amount: 0, memo: '' }).fields ?? {})).toEqual([
      'to',
      'amount',
    ]);
  });
});

describe(keyFor.name, () => {
  let n = 0;
  const newKey = () => `key-${++n}`;
  const request = { to: 'bob', amount: 25 };

  it('keeps the key while the same transfer is tried again, and takes a new one for another', () => {
    const first = keyFor(null, request, newKey);
    expect(keyFor(first, { to: 'bob', amount: 25 }, newKey)).toBe(first);
    const other = keyFor(first, { to: 'bob', amount: 26 }, newKey);
    expect(other.key).not.toBe(first.key);
  });
});

describe(mayHaveHappened.name, () => {
  it('counts unanswered requests and server errors, not refusals', () => {
    expect([0, 408, 500, 502, 503].every(mayHaveHappened)).toBe(true);
    expect([400, 401, 402, 404, 409, 429].some(mayHaveHappened)).toBe(false);
  });
});

describe(newIdempotencyKey.name, () => {
  it('uses randomUUID where there is one', () => {
    const secure = { randomUUID: () => 'a-b-c-d-e', getRandomValues: (a: Uint8Array<ArrayBuffer>) => a };
    expect(newIdempotencyKey(secure)).toBe('a-b-c-d-e');
  });

  it('builds a version 4 UUID from random bytes outside a secure context', () => {
    const insecure = { getRandomValues: (a: Uint8Array<ArrayBuffer>) => crypto.getRandomValues(a) };
    const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey(insecure)));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(UUID);
  });
});

describe('how a movement reads', () => {
  it('names the kinds', () => {
    expect(movementKind('signup_grant')).toBe('Welcome grant');
    expect(movementKind('transfer')).toBe('Transfer');
    expect(movementKind('some_new_kind')).toBe('Some new kind');
  });

  it('signs the amount', () => {
    expect(signedAmount(25)).toBe('+25');
    expect(signedAmount(-1500)).toBe('-1,500');
    expect(signedAmount(0)).toBe('0');
  });

  it('says which way the CPT went', () => {
    expect(counterpartyOf({ amount: -25, counterparty: 'bob' })).toBe('to bob');
    expect(counterpartyOf({ amount: 25, counterparty: 'alice' })).toBe('from alice');
    expect(counterpartyOf({ amount: 100, counterparty: 'mint' })).toBe('from mint');
    expect(counterpartyOf({ amount: 5, counterparty: null })).toBe('');
  });
});
