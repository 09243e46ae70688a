// The attempt's workspace on the host. Before the container starts, the task's input zip is
// extracted into a folder that gets bind-mounted (extractZipSafely, workspace-input.ts); after it
// has stopped, its output folder is zipped for upload (zipOutputs, workspace-output.ts). The task's
// author wrote the zip and the task itself wrote the output, so both directions treat the data as
// hostile: nothing may be written outside the workspace, and nothing outside it (a symlink to
// /etc/shadow) may be read into a zip. This file holds what both directions share.

import { constants, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { types } from 'node:util';

/** An input zip (or output folder) refused for what it holds; the message says which entry and why. */
export class UnsafeArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeArchiveError';
  }
}

export const S_IFREG = 0o100000;
// O_NOFOLLOW is undefined on Windows, where the worker does not run tasks
export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Passes at most `limit` bytes through; more fails the stream with `tooMany(bytesSeen)`. */
export class ByteLimit extends Transform {
  bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly tooMany: (bytes: number) => Error,
    private readonly tooFew?: (bytes: number) => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) callback(this.tooMany(this.bytes));
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.tooFew && this.bytes < this.limit ? this.tooFew(this.bytes) : null);
  }
}

/** lstat, or undefined when nothing is at `path`. */
export async function lstatIfAny(path: string): Promise<Stats | undefined> {
  return lstat(path).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  });
}

export function isErrno(error: unknown, code: string): boolean {
  return errnoCode(error) === code;
}

// isNativeError, not instanceof: errors from Node's internals come from another realm under Jest
export function errnoCode(error: unknown): string | undefined {
  return types.isNativeError(error) && 'syscall' in error ? (error as NodeJS.ErrnoException).code : undefined;
}

export function reason(error: unknown): string {
  return types.isNativeError(error) ? error.message : String(error);
}

/** A name as it may safely appear in a message: quoted, control characters escaped, shortened. */
export function shown(name: string): string {
  const quoted = JSON.stringify(name);
  return quoted.length > 200 ? `${quoted.slice(0, 197)}..."` : quoted;
}
