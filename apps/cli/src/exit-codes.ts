/** What `hivemind` exit codes mean, for scripts. */
export enum ExitCode {
  Ok = 0,
  /** The server refused, a task failed or was cancelled, or the server could not be reached. */
  Failed = 1,
  /** Bad command line: unknown command or option, missing or malformed argument. */
  Usage = 2,
  /** Stopped with Ctrl-C (128 + SIGINT, as shells report it). */
  Interrupted = 130,
}

/** An expected failure: printed as one line (no stack trace) with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Failed,
  ) {
    super(message);
  }
}

/** A usage error (exit 2): a missing or malformed value on the command line. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}
