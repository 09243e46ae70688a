// The attempt's workspace on the host. Before the container starts, the task's input zip is
// extracted into a folder that gets bind-mounted (extractZipSafely, workspace-input.ts); after it
// has stopped, its output folder is zipped for upload (zipOutputs, workspace-output.ts). The task's
// author wrote the zip and the task itself wrote the output, so both directions treat the data as
// hostile: nothing may be written outside the workspace, and nothing outside it (a symlink to
// /etc/shadow) may be read into a zip. This file holds what both directions share.

import { constants, type Stats } from 'node:fs';
import { chmod, lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
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

/** Who the workspace is handed to: the task's uid (and gid, -1 to keep it), or everyone (a+rwX). */
export type WorkspaceOwner = { uid: number; gid: number } | 'everyone';

/** TASK_USER (`uid` or `uid:gid`, validated by the config) as a WorkspaceOwner. */
export function ownerOf(taskUser: string): WorkspaceOwner {
  const [uid, gid] = taskUser.split(':').map(Number);
  return { uid, gid: gid ?? -1 };
}

/**
 * Hands the tree at `root` to the task's user: `chown -R` (or, when the worker is not root,
 * `chmod -R a+rwX`) in process rather than as a child process, without ever following a symlink
 * (lchown; a symlink's mode is left alone).
 */
export async function handOverTree(root: string, to: WorkspaceOwner): Promise<void> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = [root, ...entries.map((e) => join(e.parentPath, e.name))];
  for (let i = 0; i < paths.length; i += 64)
    await Promise.all(paths.slice(i, i + 64).map((path) => handOverOne(path, to)));
}

async function handOverOne(path: string, to: WorkspaceOwner): Promise<void> {
  if (to !== 'everyone') return lchown(path, to.uid, to.gid);
  const stats = await lstat(path);
  if (stats.isSymbolicLink()) return;
  const mode = stats.mode & 0o7777;
  // a+rwX: read and write for all; search/execute for all on folders and on files someone may run
  const wanted = mode | 0o666 | (stats.isDirectory() || mode & 0o111 ? 0o111 : 0);
  if (wanted !== mode) await chmod(path, wanted);
}
