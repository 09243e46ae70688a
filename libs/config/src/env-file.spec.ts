import { ConfigError } from './env';
import { formatEnvFile, parseEnvFile } from './env-file';

describe(parseEnvFile.name, () => {
  it.each([
    ['A=1', { A: '1' }],
    ['export A=1', { A: '1' }],
    ['# comment\n\nA=x:y/z@1', { A: 'x:y/z@1' }],
    ['A=', { A: '' }],
    [`A='it "is" $HOME'`, { A: 'it "is" $HOME' }],
    ['A="a \\"b\\" \\$c \\\\ d"', { A: 'a "b" $c \\ d' }],
    ['A="line\\nnext"\r\nB=2', { A: 'line\nnext', B: '2' }],
  ])('reads %j', (text, env) => {
    expect(parseEnvFile(text)).toEqual(env);
  });

  it.each(['A', '1A=x', 'A=two words', 'A="open', "A='open", 'A=$HOME'])(
    'refuses %j with the line it is on',
    (text) => {
      expect(() => parseEnvFile(`B=1\n${text}`, 'worker.env')).toThrow(ConfigError);
      expect(() => parseEnvFile(`B=1\n${text}`, 'worker.env')).toThrow('worker.env line 2 is not NAME=value');
    },
  );
});

describe(formatEnvFile.name, () => {
  it('quotes only what needs it, and reads back the same values', () => {
    const values = {
      PLAIN: 'https://pool.example:8080',
      SPACES: 'two words',
      NASTY: 'p"a$s`s\\w\'o\nrd',
      EMPTY: '',
    };
    const text = formatEnvFile(values, ['written by hivemind node join']);
    expect(text).toContain('# written by hivemind node join\nPLAIN=https://pool.example:8080\n');
    expect(text).toContain('SPACES="two words"\n');
    expect(parseEnvFile(text)).toEqual(values);
  });

  it('refuses a name that is not a variable name', () => {
    expect(() => formatEnvFile({ 'A-B': '1' })).toThrow('A-B is not a variable name');
  });
});
