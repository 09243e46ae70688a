import { lengthProblem, weaknessOf } from './password-policy';

describe(lengthProblem.name, () => {
  it.each([
    ['short', /at least 10 characters/],
    ['x'.repeat(129), /at most 128 characters/],
  ])('refuses %j', (password, reason) => {
    expect(lengthProblem(password)).toMatch(reason);
  });

  it('accepts 10 to 128 characters', () => {
    expect(lengthProblem('x'.repeat(10))).toBeUndefined();
    expect(lengthProblem('x'.repeat(128))).toBeUndefined();
  });
});

describe(weaknessOf.name, () => {
  it('accepts a score of 3 or more', () => {
    expect(weaknessOf({ score: 3, warning: null, suggestions: [] })).toBeUndefined();
  });

  it("says why with zxcvbn's warning and first suggestion", () => {
    expect(
      weaknessOf({
        score: 1,
        warning: 'This is a commonly used password.',
        suggestions: ['Add more words.'],
      }),
    ).toBe('password is too weak: This is a commonly used password. Add more words.');
  });

  it('says something without a warning or a suggestion', () => {
    expect(weaknessOf({ score: 0, warning: null, suggestions: [] })).toBe(
      'password is too weak: it is easy to guess. Use a longer phrase of uncommon words.',
    );
  });
});
