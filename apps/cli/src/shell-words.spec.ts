import { ShellSyntaxError, splitShellWords } from './shell-words';

describe(splitShellWords.name, () => {
  it.each([
    ['', []],
    ['   ', []],
    ['status', ['status']],
    ['  list-tasks   running ', ['list-tasks', 'running']],
    [
      'task img --name "my task" -- sh -c \'echo "hi there"\'',
      ['task', 'img', '--name', 'my task', '--', 'sh', '-c', 'echo "hi there"'],
    ],
    ['a"b c"d', ['ab cd']],
    ["''", ['']],
    ['x "" y', ['x', '', 'y']],
    ['say \\"quoted\\" word', ['say', '"quoted"', 'word']],
    ['"a \\" b \\\\ c \\n"', ['a " b \\ c \\n']],
    ["'no \\escape'", ['no \\escape']],
    ['one\\ word', ['one word']],
    ['--env "GREETING=hello world"', ['--env', 'GREETING=hello world']],
  ])('%j', (line, words) => {
    expect(splitShellWords(line)).toEqual(words);
  });

  it.each([['echo "open'], ["echo 'open"], ['trailing \\']])('refuses %j', (line) => {
    expect(() => splitShellWords(line)).toThrow(ShellSyntaxError);
  });
});
