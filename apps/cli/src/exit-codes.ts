/** What `hivemind` exit codes mean, for scripts. */
export enum ExitCode {
  Ok = 0,
  /** The server refused, a task failed, or the server could not be reached. */
  Failed = 1,
  /** Bad command line: unknown command or option, missing or malformed argument. */
  Usage = 2,
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
