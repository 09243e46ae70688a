import { randomBytes } from 'node:crypto';
import { CliError } from '../exit-codes';
import { type InputSource } from './input-source';

/**
 * A `multipart/form-data` body of POST /api/tasks, streamed: the `spec` JSON field first (the pool
 * reads it before the file), then the `input` part read from `source` as it is sent. `onBytes`
 * hears of every chunk handed to the connection. Content-Length is exact.
 */
export function multipartTaskBody(
  spec: unknown,
  source: InputSource,
  onBytes: (sent: number) => void = () => undefined,
): { body: AsyncIterable<Uint8Array>; headers: Record<string, string> } {
  const boundary = `----hivemind-${randomBytes(12).toString('hex')}`;
  const filename = source.filename.replace(/["\\\r\n]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\n` +
      'Content-Disposition: form-data; name="spec"\r\n' +
      'Content-Type: application/json\r\n\r\n' +
      `${JSON.stringify(spec)}\r\n` +
      `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="input"; filename="${filename}"\r\n` +
      'Content-Type: application/zip\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* body(): AsyncGenerator<Uint8Array> {
    let sent = 0;
    yield head;
    const stream = source.open();
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        yield chunk;
        sent += chunk.length;
        onBytes(sent);
      }
    } catch (error) {
      throw error instanceof CliError
        ? error
        : new CliError(`cannot read ${source.describe}: ${(error as Error).message}`);
    } finally {
      stream.destroy();
    }
    if (sent !== source.size)
      throw new CliError(`${source.describe} changed while it was being sent: try again`);
    yield tail;
  }
  return {
    body: body(),
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + source.size + tail.length),
    },
  };
}
