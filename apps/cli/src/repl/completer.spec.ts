import { completeLine } from './completer';

const COMMANDS = [
  { names: ['list-tasks'], options: ['--all', '--limit', '--search'] },
  { names: ['logout'], options: [] },
  { names: ['login'], options: ['--username', '--password', '--password-stdin'] },
  { names: ['exit', 'quit'], options: [] },
];

describe(completeLine.name, () => {
  it.each([
    ['list-t', [['list-tasks '], 'list-t']],
    ['lo', [['login', 'logout'], 'lo']],
    ['', [['exit', 'list-tasks', 'login', 'logout', 'quit'], '']],
    ['  qu', [['quit '], 'qu']],
    ['zz', [[], 'zz']],
    ['login --pa', [['--password', '--password-stdin'], '--pa']],
    ['list-tasks running --s', [['--search '], '--s']],
    ['list-tasks ru', [[], 'ru']],
    ['nope --a', [[], '--a']],
  ])('%j', (line, expected) => {
    expect(completeLine(line, COMMANDS)).toEqual(expected);
  });
});
