import {
  RESULT_DIGEST_VERSION,
  type ResultEntry,
  canonicalResultText,
  normalizedResultPath,
} from './result-digest';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

type Result = [exitCode: number, entries: ResultEntry[]];

const base: Result = [
  0,
  [
    { path: 'result.txt', sha256: A },
    { path: 'sub/data.bin', sha256: B },
  ],
];

describe(canonicalResultText.name, () => {
  it('writes the version, the exit code and one "<sha256> <path>" line per file, sorted by path', () => {
    expect(RESULT_DIGEST_VERSION).toBe(1);
    expect(
      canonicalResultText(3, [
        { path: 'sub/data.bin', sha256: B },
        { path: 'result.txt', sha256: A },
      ]),
    ).toBe(`hivemind-result v1\nexit 3\n${A} result.txt\n${B} sub/data.bin\n`);
  });

  it('writes an empty result as its header alone', () => {
    expect(canonicalResultText(0, [])).toBe('hivemind-result v1\nexit 0\n');
  });

  it.each<[string, Result, Result]>([
    ['the entries in another order', base, [0, [...base[1]].reverse()]],
    ['backslash separators', base, [0, [base[1][0], { path: 'sub\\data.bin', sha256: B }]]],
    [
      '"." and empty segments',
      base,
      [
        0,
        [
          { path: './result.txt', sha256: A },
          { path: 'sub//./data.bin', sha256: B },
        ],
      ],
    ],
  ])('is the same text for %s', (_case, left, right) => {
    expect(canonicalResultText(...left)).toBe(canonicalResultText(...right));
  });

  it.each<[string, Result, Result]>([
    ['another exit code', base, [1, base[1]]],
    ['a negative exit code', [-1, []], [1, []]],
    ['a renamed file', base, [0, [base[1][0], { path: 'sub/other.bin', sha256: B }]]],
    ['a file moved to another folder', base, [0, [base[1][0], { path: 'data.bin', sha256: B }]]],
    ['another content', base, [0, [base[1][0], { path: 'sub/data.bin', sha256: C }]]],
    [
      'two files whose contents swapped',
      base,
      [
        0,
        [
          { ...base[1][0], sha256: B },
          { ...base[1][1], sha256: A },
        ],
      ],
    ],
    ['a file more', base, [0, [...base[1], { path: 'extra', sha256: C }]]],
    ['a file less', base, [0, [base[1][0]]]],
    ['an empty result and a result with a file', [0, []], [0, [{ path: 'x', sha256: A }]]],
    // without the escape, the first would read as the two files of the second
    [
      'a newline in a path',
      [0, [{ path: `a\n${B} b`, sha256: A }]],
      [
        0,
        [
          { path: 'a', sha256: A },
          { path: 'b', sha256: B },
        ],
      ],
    ],
    ['a path that looks escaped', [0, [{ path: 'a%0Ab', sha256: A }]], [0, [{ path: 'a\nb', sha256: A }]]],
  ])('differs for %s', (_case, left, right) => {
    expect(canonicalResultText(...left)).not.toBe(canonicalResultText(...right));
  });

  it.each<[string, string[], string[]]>([
    ['byte order, not locale: capitals first', ['b', 'a', 'B', 'A'], ['A', 'B', 'a', 'b']],
    ['a folder sorts by its name', ['a/x', 'a-b', 'a.txt'], ['a-b', 'a.txt', 'a/x']],
    // UTF-16 would put the emoji (a surrogate pair, 0xD83D…) before U+FF61; UTF-8 bytes put it after
    [
      'UTF-8 byte order for characters beyond U+FFFF',
      ['\u{1F600}', '\uFF61', 'z'],
      ['z', '\uFF61', '\u{1F600}'],
    ],
    ['a prefix first', ['ab', 'a'], ['a', 'ab']],
  ])('sorts in %s', (_case, paths, sorted) => {
    const text = canonicalResultText(
      0,
      paths.map((path) => ({ path, sha256: A })),
    );
    expect(
      text
        .split('\n')
        .slice(2, -1)
        .map((line) => line.slice(65)),
    ).toEqual(sorted);
  });

  it('escapes "%" and control characters in a path', () => {
    expect(canonicalResultText(0, [{ path: 'a\nb\r%\u007f\tc', sha256: A }])).toContain(
      `${A} a%0Ab%0D%25%7F%09c\n`,
    );
  });

  it.each<[string, Result, RegExp]>([
    ['an exit code that is not an integer', [1.5, []], /exit code 1.5 is not an integer/],
    [
      'an upper-case sha256',
      [0, [{ path: 'x', sha256: A.toUpperCase() }]],
      /sha256 of "x" must be 64 lower-case hex/,
    ],
    ['a short sha256', [0, [{ path: 'x', sha256: 'abc' }]], /sha256 of "x"/],
    ['an absolute path', [0, [{ path: '/etc/passwd', sha256: A }]], /"\/etc\/passwd" is absolute/],
    ['a drive letter', [0, [{ path: 'C:/x', sha256: A }]], /"C:\/x" is absolute/],
    ['a ".." segment', [0, [{ path: 'a/../../x', sha256: A }]], /leaves the output folder/],
    ['an empty path', [0, [{ path: './', sha256: A }]], /names no file/],
    [
      'the same path twice',
      [
        0,
        [
          { path: 'x', sha256: A },
          { path: './x', sha256: B },
        ],
      ],
      /lists "x" twice/,
    ],
  ])('refuses %s', (_case, result, message) => {
    expect(() => canonicalResultText(...result)).toThrow(RangeError);
    expect(() => canonicalResultText(...result)).toThrow(message);
  });
});

describe(normalizedResultPath.name, () => {
  it.each([
    ['a.txt', 'a.txt'],
    ['sub\\deeper\\a.txt', 'sub/deeper/a.txt'],
    ['./sub//a.txt', 'sub/a.txt'],
    ['dots..in..name', 'dots..in..name'],
  ])('%j → %j', (path, normalized) => {
    expect(normalizedResultPath(path)).toBe(normalized);
  });
});
