import { CLIENT_REF_PATTERN, constraintOf } from './task-refs';

describe(constraintOf.name, () => {
  it.each<[string, unknown, unknown]>([
    ['the seed\'s "Any"', 'Any', undefined],
    ['any case', 'aNY', undefined],
    ['around spaces', '  ANY\t', undefined],
    ['empty', '', undefined],
    ['blank', '   ', undefined],
    ['a GPU model, trimmed', ' RTX 4090 ', 'RTX 4090'],
    ['a place', 'Asia/Taipei', 'Asia/Taipei'],
    ['a word that contains any', 'Anywhere', 'Anywhere'],
    ['undefined', undefined, undefined],
    ['a number, for the validator to refuse', 42, 42],
    ['null, for the validator to refuse', null, null],
  ])('%s', (_name, value, expected) => {
    expect(constraintOf(value)).toBe(expected);
  });
});

describe('CLIENT_REF_PATTERN', () => {
  it.each(['task-001', 'a', 'job_2026.01:3', '0f8fad5b-d9cb-469f-a165-70867728950e', 'x'.repeat(128)])(
    'accepts %s',
    (ref) => expect(CLIENT_REF_PATTERN.test(ref)).toBe(true),
  );
  it.each(['', '-lead', '.hidden', 'a b', 'a/b', 'a?b', 'a#b', 'é', 'x'.repeat(129), 'a\n'])(
    'refuses %j',
    (ref) => expect(CLIENT_REF_PATTERN.test(ref)).toBe(false),
  );
});
