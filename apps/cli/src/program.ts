import { Command, CommanderError, Option } from 'commander';
import { normalizeArgv } from './argv';
import { registerAdminCommands } from './commands/admin.commands';
import { registerAuthCommands } from './commands/auth.commands';
import { registerFileCommands } from './commands/files.commands';
import { registerMonitorCommand } from './commands/monitor.command';
import { registerNodeMembershipCommands } from './commands/node-membership.commands';
import { registerNodeCommands } from './commands/nodes.commands';
import { registerStatusCommand } from './commands/status.command';
import { registerTaskCommands } from './commands/tasks.commands';
import { registerVpnCommands } from './commands/vpn.commands';
import { registerWalletCommands } from './commands/wallet.commands';
import { Cli, DEFAULT_SERVER, type Io } from './context';
import { CliError, ExitCode } from './exit-codes';

export { DEFAULT_SERVER, type Io } from './context';
export const VERSION = '0.1.0';

const EXAMPLES = `
Examples:
  hivemind login -u alice                      log in (asks for the password)
  hivemind task busybox:latest -name hello -cpu_cores 0.5 -- echo hello
  hivemind task --input ./job --shards 4 --split simulation --follow
  hivemind monitor 4f1c                        follow a task's log (a unique start of its id will do)
  hivemind list-tasks running --json           the API's JSON, for scripts
  hivemind download 4f1c ./results
  sudo hivemind node join https://pool.example.org:8080 -u alice --service   contribute this machine
  hivemind                                     the interactive master> prompt`;

/** The `hivemind` command tree: the same for one-shot commands and the interactive prompt. */
export function buildProgram(io: Io): Command {
  const program = new Command('hivemind')
    .description('HiveMind command line: talk to a node pool (submit tasks, watch workers, manage CPT).')
    .version(VERSION, '-v, --version')
    .addOption(
      new Option(
        '-s, --server <url>',
        `node pool HTTP address (default: the one you logged in to last, else ${DEFAULT_SERVER})`,
      ).env('HIVEMIND_SERVER'),
    )
    .addOption(
      new Option('--ca <file>', "the pool's CA certificate (PEM) to verify its TLS certificate with").env(
        'HIVEMIND_CA',
      ),
    )
    .option('--json', "print the API's JSON (one document) instead of tables")
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      // one line: "hivemind: unknown command 'statsu' (Did you mean status?)"
      outputError: (text, write) =>
        write(`hivemind: ${text.replace(/^error: /, '').replace(/\n\(Did you mean/, ' (Did you mean')}`),
    })
    .exitOverride()
    .showSuggestionAfterError()
    .addHelpText('after', EXAMPLES);
  const cli = new Cli(io, program);

  registerAuthCommands(program, cli);
  registerStatusCommand(program, cli);
  registerNodeCommands(program, cli);
  registerNodeMembershipCommands(program, cli);
  registerTaskCommands(program, cli);
  registerMonitorCommand(program, cli);
  registerFileCommands(program, cli);
  registerWalletCommands(program, cli);
  registerVpnCommands(program, cli);
  registerAdminCommands(program, cli);
  program
    .command('exit')
    .alias('quit')
    .description('leave the interactive prompt')
    .action(() => io.repl?.exit());
  return program;
}

/** Every long option of every command (`cpu-cores`, …): what argv normalisation may map to. */
export function longOptionsOf(program: Command): Set<string> {
  const names = new Set<string>();
  for (const command of [program, ...program.commands]) {
    for (const option of command.options) if (option.long) names.add(option.long.replace(/^--/, ''));
  }
  return names;
}

/** Runs the CLI and returns its exit code; every expected error is one line on stderr. */
export async function run(argv: string[], io: Io): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(normalizeArgv(argv, longOptionsOf(program)), { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code))
        return ExitCode.Ok;
      return ExitCode.Usage; // commander already printed the one-line reason
    }
    if (error instanceof CliError) {
      if (error.message) io.err(`hivemind: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`hivemind: unexpected error: ${(error as Error).message}\n`);
    if (io.env.HIVEMIND_DEBUG) io.err(`${(error as Error).stack}\n`);
    return ExitCode.Failed;
  }
}
