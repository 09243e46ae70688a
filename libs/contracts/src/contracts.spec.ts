import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { CredentialsDto } from './dto';

describe('@hivemind/contracts entry points', () => {
  it('the browser entry loads no decorator library and no Node module', () => {
    jest.isolateModules(() => {
      const before = new Set(Object.keys(require.cache));
      // a dynamic require is the point: we watch what loading the entry pulls into the module cache
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('./index');
      const loaded = Object.keys(require.cache).filter((m) => !before.has(m));
      expect(loaded.filter((m) => m.includes('node_modules'))).toEqual([]);
    });
  });
});

describe('CredentialsDto', () => {
  const errorsOf = async (body: object) =>
    (await validate(plainToInstance(CredentialsDto, body)))
      .map((e) => Object.values(e.constraints ?? {}))
      .flat();

  it('accepts a valid body and normalizes the username to lower case', async () => {
    const dto = plainToInstance(CredentialsDto, {
      username: '  Alice.B ',
      password: 'correct horse battery',
    });
    expect(dto.username).toBe('alice.b');
    expect(await validate(dto)).toEqual([]);
  });

  it.each([
    [{ username: 'ab', password: 'long enough pw' }, /username must be 3 to 32 characters/],
    [{ username: 'with space', password: 'long enough pw' }, /username must be 3 to 32 characters/],
    [{ username: 'alice', password: 'short' }, /password must be at least 10 characters/],
    [{ username: 'alice' }, /password must be/],
  ])('refuses %j naming the field', async (body, message) => {
    expect((await errorsOf(body)).join('; ')).toMatch(message);
  });
});
