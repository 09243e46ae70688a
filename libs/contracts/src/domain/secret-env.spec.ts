import { SECRET_MASK as M, maskedEnv, maskSecrets, secretMasker } from './secret-env';

describe(maskSecrets.name, () => {
  it.each<[string, string, string[], string]>([
    ['an occurrence', 'token=hunter22 ok', ['hunter22'], `token=${M} ok`],
    ['every occurrence', 'abcd-abcd abcd', ['abcd'], `${M}-${M} ${M}`],
    ['several values', 'user alice pass s3cr3t!', ['alice', 's3cr3t!'], `user ${M} pass ${M}`],
    ['a value inside a longer one', 'key=abcdef', ['abcd', 'abcdef'], `key=${M}`],
    ['the longer first in the list too', 'key=abcdef', ['abcdef', 'abcd'], `key=${M}`],
    ['overlapping values: the covered stretch as one mask', 'xxabcdefyy', ['abcd', 'cdef'], `xx${M}yy`],
    ['touching values', 'abcdwxyz!', ['abcd', 'wxyz'], `${M}!`],
    ['a value overlapping itself', 'aaaaaa', ['aaaa'], M],
    ['regex metacharacters taken literally', 'p=a.b*c+(d)?[e]$^|\\', ['a.b*c+(d)?[e]$^|\\'], `p=${M}`],
    ['a dot is no wildcard', 'aXbXcXd', ['a.b.c.d'], 'aXbXcXd'],
    ['$& and $1 in a value are not replacement patterns', 'x $&$1y z', ['$&$1y'], `x ${M} z`],
    ['short values left alone', 'on 1 abc', ['on', '1', 'abc'], 'on 1 abc'],
    ['short and long together', 'abc abcd', ['abc', 'abcd'], `abc ${M}`],
    ['empty values ignored', 'text', ['', 'text'], M],
    ['across lines', 'line1 secret\nline2 secret\n', ['secret'], `line1 ${M}\nline2 ${M}\n`],
    ['unicode values', 'clé=пароль€€ fin', ['пароль€€'], `clé=${M} fin`],
    ['no values: unchanged', 'nothing to hide', [], 'nothing to hide'],
    ['no occurrence: unchanged', 'nothing to hide', ['hunter22'], 'nothing to hide'],
  ])('%s', (_, text, values, masked) => {
    expect(maskSecrets(text, values)).toBe(masked);
    expect(secretMasker(values)(text)).toBe(masked);
  });

  it('masks a megabyte of one repeated value in one span, quickly', () => {
    expect(secretMasker(['aaaa'])('a'.repeat(1 << 20))).toBe(M);
  });
});

describe(maskedEnv.name, () => {
  it.each<[Record<string, string>, string[], Record<string, string>]>([
    [{ MODE: 'fast' }, [], { MODE: 'fast' }],
    [{ MODE: 'fast' }, ['DB_PASSWORD'], { MODE: 'fast', DB_PASSWORD: M }],
    [{}, ['A', 'B'], { A: M, B: M }],
  ])('%j with secrets %j shows %j', (env, keys, shown) => {
    expect(maskedEnv(env, keys)).toEqual(shown);
  });
});
