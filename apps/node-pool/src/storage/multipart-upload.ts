import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { formatBytes } from '@hivemind/contracts';
import { DomainError } from '../common/domain-error';
import { type BlobStore, type PutResult } from './blob-store';

/** Limits of one multipart task submission. */
export interface MultipartLimits {
  /** The most bytes of the file part: MAX_FILE_SIZE. More → DomainError('too_large'), 413. */
  maxFileSize: number;
  /** The form field that carries the file; default `input`. Any other file part is refused. */
  fileField?: string;
  /** The most non-file fields; default 64. */
  maxFields?: number;
  /** The most bytes of one field's value; default 1 MiB (room for a JSON `spec`). */
  maxFieldSize?: number;
}

/** The file part of a multipart submission, already stored in the BlobStore. */
export interface UploadedFile {
  sha256: string;
  size: number;
  /** The client's file name without any directory part; `input` when it sent none. */
  filename: string;
  /** The part's declared media type (`application/octet-stream` when it declared none). */
  contentType: string;
}

/** A parsed multipart submission: its text fields as sent (unvalidated) and its stored file. */
export interface MultipartTask {
  fields: Record<string, string>;
  file?: UploadedFile;
}

const DEFAULT_MAX_FIELDS = 64;
const DEFAULT_MAX_FIELD_SIZE = 1024 * 1024;
/** Room for part headers and boundaries when a Content-Length is checked before reading. */
const FRAMING_ALLOWANCE = 64 * 1024;

/**
 * Reads a `multipart/form-data` request as it arrives: text fields are collected (each at most
 * `maxFieldSize` bytes, at most `maxFields` of them, none twice), and the one file part (named
 * `fileField`) is streamed straight into `store.put` with `maxBytes = maxFileSize`, never held in
 * memory. Refusals are DomainErrors: not multipart, malformed, a second file, a file in another
 * field, too many or too long fields → 'invalid' (400); a file over the limit → 'too_large' (413).
 *
 * On a refusal the rest of the request is drained (so the client reads the answer) and the
 * promise settles only after an unfinished upload's temp file is gone. A file already stored
 * when a later part is refused stays in the store (content-addressed blobs may be shared); it has
 * no `files` row, so nothing refers to it.
 */
export function parseMultipartTask(
  req: IncomingMessage,
  store: BlobStore,
  limits: MultipartLimits,
): Promise<MultipartTask> {
  const fileField = limits.fileField ?? 'input';
  const maxFields = limits.maxFields ?? DEFAULT_MAX_FIELDS;
  const maxFieldSize = limits.maxFieldSize ?? DEFAULT_MAX_FIELD_SIZE;

  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    req.resume();
    return Promise.reject(
      new DomainError(
        'invalid',
        `expected a multipart/form-data body (the task's fields, and its file in the "${fileField}" part)`,
      ),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limits.maxFileSize + maxFields * maxFieldSize + FRAMING_ALLOWANCE) {
    req.resume();
    return Promise.reject(tooLarge(limits.maxFileSize));
  }

  return new Promise<MultipartTask>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { files: 1, fields: maxFields, fieldSize: maxFieldSize, fileSize: limits.maxFileSize + 1 },
      });
    } catch (error) {
      req.resume();
      reject(new DomainError('invalid', `malformed multipart request: ${messageOf(error)}`));
      return;
    }

    const fields = new Map<string, string>();
    let file: { filename: string; contentType: string; upload: Promise<PutResult> } | undefined;
    let settled = false;

    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      parser.destroy();
      req.resume();
      // answer only once an unfinished upload has removed its temp file
      const uploaded = file?.upload ?? Promise.resolve();
      void uploaded.then(
        () => reject(asRefusal(error)),
        () => reject(asRefusal(error)),
      );
    };

    parser.on('field', (name, value, info) => {
      if (info.nameTruncated) return fail(new DomainError('invalid', 'a field name is too long'));
      if (info.valueTruncated) {
        return fail(
          new DomainError('invalid', `field "${name}" is longer than ${formatBytes(maxFieldSize)}`, {
            field: name,
          }),
        );
      }
      if (fields.has(name)) {
        return fail(new DomainError('invalid', `field "${name}" is given more than once`, { field: name }));
      }
      fields.set(name, value);
    });

    parser.on('file', (name, stream, info) => {
      if (name !== fileField) {
        stream.on('error', () => undefined); // destroyed with the parser below
        stream.resume();
        return fail(
          new DomainError(
            'invalid',
            `unexpected file in "${name}": send the file in the "${fileField}" part`,
            {
              field: name,
            },
          ),
        );
      }
      const upload = store.put(stream, { maxBytes: limits.maxFileSize });
      file = { filename: cleanFilename(info.filename), contentType: info.mimeType, upload };
      upload.catch(fail);
    });

    parser.on('filesLimit', () =>
      fail(new DomainError('invalid', `send at most one file, in the "${fileField}" part`)),
    );
    parser.on('fieldsLimit', () =>
      fail(new DomainError('invalid', `too many fields: at most ${maxFields} are accepted`)),
    );
    parser.on('error', (error) =>
      fail(new DomainError('invalid', `malformed multipart body: ${messageOf(error)}`)),
    );
    parser.on('close', () => {
      if (settled) return;
      const current = file;
      if (!current) {
        settled = true;
        resolve({ fields: Object.fromEntries(fields) });
        return;
      }
      current.upload.then((stored) => {
        if (settled) return;
        settled = true;
        const sentNothing = stored.size === 0 && current.filename === '';
        resolve({
          fields: Object.fromEntries(fields),
          ...(sentNothing
            ? {}
            : {
                file: {
                  sha256: stored.sha256,
                  size: stored.size,
                  filename: current.filename || 'input',
                  contentType: current.contentType,
                },
              }),
        });
      }, fail);
    });

    req.on('error', () => fail(interrupted()));
    req.on('close', () => {
      if (!req.complete) fail(interrupted());
    });
    req.pipe(parser);
  });
}

function tooLarge(maxFileSize: number): DomainError {
  return new DomainError('too_large', `the file is larger than the limit of ${formatBytes(maxFileSize)}`);
}

function interrupted(): DomainError {
  return new DomainError('invalid', 'the upload was interrupted before it was complete');
}

/**
 * DomainErrors and storage failures (a disk error is ours, answered 500) pass through; anything
 * else went wrong with the request's body (busboy's "Unexpected end of form" …): 'invalid'.
 */
function asRefusal(error: unknown): Error {
  if (error instanceof DomainError) return error;
  if (error instanceof Error && 'syscall' in error) return error;
  return new DomainError('invalid', `malformed multipart body: ${messageOf(error)}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The client's file name without control characters, at most 255 characters; '' when none. */
function cleanFilename(filename: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- control characters are what we remove
  return (filename ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
}
