import { DomainError } from './domain-error';
import { MAX_JSON_DEPTH, jsonShapeProblem, parseJsonField } from './json-shape';

describe(jsonShapeProblem.name, () => {
  const nest = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it.each([
    ['{}', undefined],
    ['{"a": [1, {"b": "c"}]}', undefined],
    [nest(MAX_JSON_DEPTH), undefined],
    [nest(MAX_JSON_DEPTH + 1), { kind: 'too_deep', maxDepth: MAX_JSON_DEPTH }],
    [nest(30_000), { kind: 'too_deep', maxDepth: MAX_JSON_DEPTH }],
    [`{"a": ${'{"b": '.repeat(40)}1${'}'.repeat(40)}}`, { kind: 'too_deep', maxDepth: MAX_JSON_DEPTH }],
  ])('%s → %j', (text, expected) => {
    expect(jsonShapeProblem(text)).toEqual(expected);
  });

  it.each([
    ['a list and 19,999 numbers', `[${Array(19_999).fill(0).join(',')}]`, undefined],
    [
      'a list and 20,000 numbers',
      `[${Array(20_000).fill(0).join(',')}]`,
      { kind: 'too_many', maxValues: 20_000 },
    ],
    ['20,000 objects', `[${Array(10_000).fill('{}').join(',')}]`, { kind: 'too_many', maxValues: 20_000 }],
  ])('counts the values: %s → %j', (_, text, expected) => {
    expect(jsonShapeProblem(text)).toEqual(expected);
  });

  it('counts brackets inside strings as text, escaped quotes included', () => {
    expect(jsonShapeProblem(JSON.stringify({ a: '['.repeat(1000) }))).toBeUndefined();
    expect(jsonShapeProblem(JSON.stringify({ a: '\\"[[[[' + '['.repeat(100) }))).toBeUndefined();
  });

  it('finds a NUL spelled \\u0000, but not an escaped backslash followed by u0000', () => {
    expect(jsonShapeProblem(JSON.stringify({ a: 'x\u0000y' }))?.kind).toBe('nul');
    expect(jsonShapeProblem(JSON.stringify({ 'k\u0000': 1 }))?.kind).toBe('nul');
    expect(jsonShapeProblem(JSON.stringify({ a: '\\u0000' }))).toBeUndefined();
  });
});

describe(parseJsonField.name, () => {
  it('parses JSON of a bounded shape', () => {
    expect(parseJsonField('{"grid": {"lr": [0.1]}}', 'split_params_json')).toEqual({ grid: { lr: [0.1] } });
  });

  it.each([
    ['malformed', '{', 'split_params_json must be JSON'],
    ['deep', '['.repeat(300) + ']'.repeat(300), 'split_params_json nests deeper than 32 levels'],
    ['NUL', '"\\u0000"', 'split_params_json: a string holds a NUL character'],
    ['long', `"${'x'.repeat(2000)}"`, 'split_params_json is longer than 1000 bytes'],
  ])('refuses %s JSON, naming the field', (_, text, message) => {
    const refuse = () => parseJsonField(text, 'split_params_json', 1000);
    expect(refuse).toThrow(DomainError);
    expect(refuse).toThrow(message);
    try {
      refuse();
    } catch (error) {
      expect((error as DomainError).details.field).toBe('split_params_json');
    }
  });
});
