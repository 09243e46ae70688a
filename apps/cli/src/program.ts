import { Command, CommanderError, Option } from 'commander';
import { formatStatus, statusCommand } from './commands/status.command';
import { CliError, ExitCode } from './exit-codes';

export const VERSION = '0.1.0';
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}

/** The `hivemind` command tree. Commands arrive with the CLI issue; this is the skeleton. */
export function buildProgram(io: Io): Command {
  const program = new Command('hivemind')
    .description('HiveMind command line: talk to a node pool (submit tasks, watch workers, manage CPT).')
    .version(VERSION, '-v, --version')
    .addOption(
      new Option('-s, --server <url>', 'node pool HTTP address')
        .env('HIVEMIND_SERVER')
        .default(DEFAULT_SERVER),
    )
    .option('--json', 'print machine-readable JSON')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showSuggestionAfterError();

  program
    .command('status')
    .description('show whether the node pool, its PostgreSQL and its Redis are up')
    .action(async () => {
      const { server, json } = program.opts<{ server: string; json?: boolean }>();
      const result = await statusCommand(server);
      io.out((json ? JSON.stringify(result) : formatStatus(result)) + '\n');
      if (!result.healthy) throw new CliError('', ExitCode.Failed);
    });

  return program;
}

/** Runs the CLI and returns its exit code; every expected error is one line on stderr. */
export async function run(argv: string[], io: Io): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return ExitCode.Ok;
      }
      return ExitCode.Usage; // commander already printed the one-line reason
    }
    if (error instanceof CliError) {
      if (error.message) io.err(`hivemind: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`hivemind: unexpected error: ${(error as Error).message}\n`);
    return ExitCode.Failed;
  }
}
