import { type Command } from 'commander';
import { type SessionView, type UserView } from '@hivemind/contracts';
import { toStoredSession } from '../config/session-store';
import { type Cli } from '../context';
import { CliError, ExitCode, UsageError } from '../exit-codes';

interface CredentialOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

/** `login`, `register`, `logout`, `whoami`. */
export function registerAuthCommands(program: Command, cli: Cli): void {
  const withCredentials = (command: Command) =>
    command
      .option('-u, --username <name>', 'your username (asked when missing, on a terminal)')
      .option(
        '-p, --password <password>',
        'your password (others may see it in `ps`: prefer --password-stdin)',
      )
      .option('--password-stdin', 'read the password from standard input');

  withCredentials(program.command('login'))
    .description('log in to the node pool; the token is kept in your config folder')
    .action(async (o: CredentialOptions) => {
      await startSession(cli, '/api/auth/login', await credentials(cli, o, false));
    });

  withCredentials(program.command('register'))
    .description('create an account (with the sign-up grant of CPT) and log in')
    .action(async (o: CredentialOptions) => {
      await startSession(cli, '/api/auth/register', await credentials(cli, o, true));
    });

  program
    .command('logout')
    .description('log out everywhere (every token issued so far stops working) and forget the token')
    .action(async () => {
      const api = cli.api();
      const session = cli.store.get(api.server);
      if (!session) {
        cli.out.line(`Not logged in to ${api.server}.`);
        return;
      }
      let failure: CliError | undefined;
      try {
        await api.request('POST', '/api/auth/logout');
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        // an expired session cannot log out, and needs not: its tokens no longer work
        if (!/session has expired/.test(error.message)) failure = error;
      }
      cli.store.delete(api.server);
      if (failure)
        throw new CliError(
          `${failure.message}; the token was deleted here, but it may still work until it expires`,
        );
      cli.out.line(`Logged out of ${api.server} (${session.username}).`);
    });

  program
    .command('whoami')
    .description('who you are logged in as, and where')
    .action(async () => {
      const api = cli.api();
      const me = await api.request<UserView>('GET', '/api/me');
      if (cli.json) return cli.out.document(me);
      cli.out.line(`${me.username} (${me.role}, trust ${me.trust_score}) on ${api.server}`);
    });
}

async function startSession(cli: Cli, path: string, body: { username: string; password: string }) {
  const api = cli.api();
  const session = await api.request<SessionView>('POST', path, { json: body, auth: false });
  cli.store.save(toStoredSession(api.server, session));
  const verb = path.endsWith('register') ? 'Registered and logged in' : 'Logged in';
  cli.out.line(`${verb} to ${api.server} as ${session.user.username} (${session.user.role}).`);
}

async function credentials(
  cli: Cli,
  o: CredentialOptions,
  confirm: boolean,
): Promise<{ username: string; password: string }> {
  const { prompter, signal } = cli.io;
  const noTerminal = 'there is no terminal to ask on';
  let username = o.username;
  if (username === undefined) {
    if (!prompter) throw new UsageError(`missing --username (-u): ${noTerminal}`);
    username = (await prompter.ask('Username: ', signal)).trim();
    if (!username) throw new UsageError('a username is required');
  }
  if (o.password !== undefined && o.passwordStdin)
    throw new UsageError('give the password with --password or --password-stdin, not both');
  let password = o.password;
  if (o.passwordStdin) password = await readPassword(cli.io.stdin);
  if (password === undefined) {
    if (!prompter) throw new UsageError(`missing --password (-p) or --password-stdin: ${noTerminal}`);
    password = await prompter.secret('Password: ', signal);
    if (confirm && (await prompter.secret('Repeat the password: ', signal)) !== password)
      throw new CliError('the passwords differ', ExitCode.Usage);
  }
  return { username, password };
}

/** The first line of standard input. */
async function readPassword(stdin: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stdin) throw new UsageError('--password-stdin: no standard input');
  let text = '';
  for await (const chunk of stdin) text += chunk.toString();
  const password = text.split(/\r?\n/)[0] ?? '';
  if (!password) throw new UsageError('--password-stdin: standard input was empty');
  return password;
}
