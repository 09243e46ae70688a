import { CliError, ExitCode } from '../exit-codes';

/** The one line every command prints when the node pool does not answer. */
export function unreachable(server: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError(
    `cannot reach the node pool at ${server} (${reason}); is it running? (set --server or HIVEMIND_SERVER)`,
  );
}

export const notLoggedIn = (): CliError => new CliError('not logged in: run `hivemind login`');
export const sessionExpired = (): CliError => new CliError('your session has expired: run `hivemind login`');
export const interrupted = (): CliError => new CliError('interrupted', ExitCode.Interrupted);

/** True for the error `fetch` throws when its AbortSignal fired. */
export function isAbort(error: unknown): boolean {
  const name = (error as Error | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/**
 * The `{statusCode, error, message}` body of a refusal as one line: the pool's message, or the
 * status when the body is not the pool's (a proxy's error page, say).
 */
export function refusal(status: number, statusText: string, text: string): CliError {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) return new CliError(body.message);
    if (Array.isArray(body.message)) return new CliError(body.message.join('; '));
  } catch {
    // not JSON: fall through
  }
  return new CliError(`the node pool answered ${status} ${statusText}`.trim());
}
