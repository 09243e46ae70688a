import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { configDirOf, ensurePrivateDir } from '../config/config-dir';
import { type Io } from '../context';
import { carriesSecretValue } from '../commands/parsers';
import { ExitCode } from '../exit-codes';
import { buildProgram, run } from '../program';
import { MutableOutput, readlinePrompter } from '../prompt/prompter';
import { ShellSyntaxError, splitShellWords } from '../shell-words';
import { type CompletableCommand, completeLine } from './completer';

export const PROMPT = 'master> ';
const HISTORY_SIZE = 500;
const RULE = '═'.repeat(55);

export interface ReplOptions {
  io: Io;
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  /** Put before every line's words: the global options `hivemind` was started with. */
  prefix: string[];
}

/**
 * The interactive `master>` prompt: each line is split like a shell would and run through the
 * same commander program as a one-shot command. History is kept in the config folder (less the
 * lines that give a `--secret-env` value in the clear); Tab
 * completes command names and options; Ctrl-C stops the running command (or, at the prompt,
 * clears the line); Ctrl-D or `exit` leaves. Lines typed while a command runs wait their turn.
 */
export async function startRepl({ io, input, output, prefix }: ReplOptions): Promise<ExitCode> {
  const terminal = !!input.isTTY && !!output.isTTY;
  const historyFile = join(configDirOf(io.env), 'history');
  const mutable = new MutableOutput(output);
  const commands = completableCommands(io);
  const rl = createInterface({
    input,
    output: terminal ? mutable : output,
    terminal,
    prompt: PROMPT,
    history: terminal ? loadHistory(historyFile) : [],
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string) => completeLine(line, commands),
  });
  rl.on('history', (history: string[]) => saveHistory(historyFile, history, io));
  const prompter = terminal ? readlinePrompter(rl, mutable) : undefined;

  io.out(
    `${RULE}\n  HiveMind Master Node - Interactive CLI\n${RULE}\nType 'help' for available commands\n\n`,
  );

  const queue: string[] = [];
  let running: AbortController | undefined;
  let leaving = false;
  let closed = false;
  let wakeLoop: (() => void) | undefined;
  const prompt = () => {
    if (terminal && !closed && !leaving) rl.prompt();
  };

  rl.on('line', (line) => {
    queue.push(line);
    wakeLoop?.();
  });
  rl.on('SIGINT', () => {
    if (running) {
      running.abort();
      return;
    }
    const hadText = rl.line.length > 0;
    // clear what was typed, as a shell does
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    io.out(hadText ? '^C\n' : '\n(To exit, press Ctrl-D or type exit)\n');
    prompt();
  });
  rl.on('close', () => {
    closed = true;
    running?.abort();
    wakeLoop?.();
  });

  prompt();
  for (;;) {
    const line = queue.shift();
    if (line === undefined) {
      if (closed || leaving) break;
      await new Promise<void>((resolve) => (wakeLoop = resolve));
      wakeLoop = undefined;
      continue;
    }
    let words: string[];
    try {
      words = splitShellWords(line);
    } catch (error) {
      if (!(error instanceof ShellSyntaxError)) throw error;
      io.err(`hivemind: ${error.message}\n`);
      prompt();
      continue;
    }
    if (words[0] === 'hivemind') words.shift(); // pasted from a shell
    if (!words.length) {
      prompt();
      continue;
    }
    running = new AbortController();
    await run([...prefix, ...words], {
      ...io,
      prompter,
      signal: running.signal,
      repl: { exit: () => (leaving = true) },
    });
    running = undefined;
    if (leaving) break;
    prompt();
  }
  if (terminal && closed && !leaving) io.out('\n');
  rl.close();
  return ExitCode.Ok;
}

function completableCommands(io: Io): CompletableCommand[] {
  const program = buildProgram(io);
  return [
    ...program.commands.map((c) => ({
      names: [c.name(), ...c.aliases()],
      options: c.options.map((o) => o.long).filter((l): l is string => !!l),
    })),
    { names: ['help'], options: [] },
  ];
}

function loadHistory(file: string): string[] {
  try {
    // readline keeps the newest first
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

function saveHistory(file: string, history: string[], io: Io): void {
  try {
    ensurePrivateDir(join(file, '..'));
    // a secret given in the clear is not written down (`--secret-env NAME` takes it from the environment)
    const kept = history.filter((line) => !carriesSecretValue(line));
    writeFileSync(file, [...kept].reverse().join('\n') + '\n', { mode: 0o600 });
  } catch (error) {
    io.err(`hivemind: cannot save the history in ${file}: ${(error as Error).message}\n`);
  }
}
