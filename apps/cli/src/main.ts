import { type Io } from './context';
import { ExitCode } from './exit-codes';
import { run } from './program';
import { terminalPrompter } from './prompt/prompter';
import { startRepl } from './repl/repl';

/** `hivemind` alone (or with only --server): the interactive prompt, with those options. */
function replPrefix(argv: string[]): string[] | undefined {
  if (!argv.length) return [];
  if (argv.length === 1 && /^--server=/.test(argv[0])) return argv;
  if (argv.length === 2 && ['-s', '--server'].includes(argv[0])) return argv;
  return undefined;
}

async function main(): Promise<ExitCode> {
  const argv = process.argv.slice(2);
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error; // a closed pipe (| head) is not our failure
    });
  }
  const io: Io = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    stdin: process.stdin,
    stdoutIsTTY: process.stdout.isTTY,
    progress: process.stderr.isTTY ? process.stderr : undefined,
  };
  const prefix = replPrefix(argv);
  if (prefix) return startRepl({ io, input: process.stdin, output: process.stdout, prefix });

  // Ctrl-C stops the command (a monitor says how to pick up again); a second one ends at once
  const interrupt = new AbortController();
  process.on('SIGINT', () => {
    if (interrupt.signal.aborted) process.exit(ExitCode.Interrupted);
    interrupt.abort();
  });
  return run(argv, {
    ...io,
    prompter: process.stdin.isTTY ? terminalPrompter(process.stdin, process.stderr) : undefined,
    signal: interrupt.signal,
  });
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    process.stderr.write(`hivemind: ${(error as Error).message}\n`);
    process.exitCode = ExitCode.Failed;
  });
