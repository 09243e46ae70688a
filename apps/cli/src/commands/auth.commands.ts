import { type Command } from 'commander';
import { type SessionView, type UserView } from '@hivemind/contracts';
import { toStoredSession } from '../config/session-store';
import { type Cli } from '../context';
import { CliError, ExitCode, UsageError } from '../exit-codes';
import { UntrustedPoolError, certificateToPin } from '../api/tls-trust';

export interface CredentialOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  trust?: string;
}

/** `login`, `register`, `logout`, `whoami`. */
export function registerAuthCommands(program: Command, cli: Cli): void {
  withCredentialOptions(program.command('login'))
    .description('log in to the node pool; the token is kept in your config folder')
    .action(async (o: CredentialOptions) => {
      await trustIfAsked(cli, o.trust);
      await startSession(cli, '/api/auth/login', await credentials(cli, o, false));
    });

  withCredentialOptions(program.command('register'))
    .description('create an account (with the sign-up grant of CPT) and log in')
    .action(async (o: CredentialOptions) => {
      await trustIfAsked(cli, o.trust);
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

/** -u, -p, --password-stdin and --trust: the options of every command that signs in. */
export function withCredentialOptions(command: Command): Command {
  return command
    .option('-u, --username <name>', 'your username (asked when missing, on a terminal)')
    .option('-p, --password <password>', 'your password (others may see it in `ps`: prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option(
      '--trust <fingerprint>',
      "trust the pool's CA with this SHA-256 fingerprint from now on (check it with the pool's operator)",
    );
}

/** --trust: pins the pool's CA with that fingerprint once a real connection verifies against it. */
export async function trustIfAsked(cli: Cli, fingerprint: string | undefined): Promise<void> {
  if (fingerprint === undefined) return;
  const cert = await certificateToPin(cli.server, fingerprint);
  cli.pin(cert.fingerprint, cert.pem);
  cli.io.err(`Trusting ${cert.subject || 'the CA'} (SHA-256 ${cert.fingerprint}) for ${cli.server}.\n`);
}

/**
 * The first request of a session: a pool whose certificate is not trusted here is shown with its
 * fingerprint and, on a terminal, the user may trust it (as ssh asks about an unknown host key).
 */
async function firstRequest<T>(cli: Cli, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { prompter, signal } = cli.io;
    if (!(error instanceof UntrustedPoolError) || !error.candidate || !prompter) throw error;
    const { fingerprint, subject, pem } = error.candidate;
    cli.io.err(
      `The node pool at ${error.server} presents a certificate this machine does not trust (${error.code}).\n` +
        `Its CA: ${subject || '(no name)'}\nSHA-256 fingerprint: ${fingerprint}\n`,
    );
    const answer = (
      await prompter.ask('Trust this CA for this server from now on (yes/no)? ', signal)
    ).trim();
    if (!/^y(es)?$/i.test(answer)) throw error;
    await certificateToPin(error.server, fingerprint);
    cli.pin(fingerprint, pem);
    return run();
  }
}

export async function startSession(
  cli: Cli,
  path: string,
  body: { username: string; password: string },
): Promise<SessionView> {
  const session = await firstRequest(cli, () =>
    cli.api().request<SessionView>('POST', path, { json: body, auth: false }),
  );
  const api = cli.api();
  cli.store.save(toStoredSession(api.server, session));
  const verb = path.endsWith('register') ? 'Registered and logged in' : 'Logged in';
  cli.out.line(`${verb} to ${api.server} as ${session.user.username} (${session.user.role}).`);
  return session;
}

export async function credentials(
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
