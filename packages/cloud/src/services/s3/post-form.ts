import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { S3_ERRORS } from './s3-errors.js';

/** S3's limit for the form fields that precede the file. */
const MAX_FIELDS_BYTES = 20 * 1024;

/** A POST Object form read up to its file part, whose bytes are still to come. */
export interface PostForm {
  /** The fields before the file, by lower-case name (S3 ignores fields after the file). */
  fields: Map<string, string>;
  /** The part named `file`, and the filename it was sent with (what `${filename}` in the key stands for). */
  file: { stream: Readable; filename: string | undefined };
  /** Settles once the whole request is parsed, after the file's last byte; rejects when the request is malformed or cut. */
  finished: Promise<void>;
}

/** True for a `multipart/form-data` request: the body of a POST Object. */
export function isFormUpload(req: IncomingMessage): boolean {
  return /^multipart\/form-data\s*(;|$)/i.test(req.headers['content-type'] ?? '');
}

/**
 * Reads a `multipart/form-data` body up to the part named `file` and answers its fields and the file as a
 * stream, which the caller must consume (or destroy): the request is read no further until it does, so the
 * file goes wherever the caller pipes it, never into memory. Parts before the file are fields, whether sent
 * with a filename or not (some clients send every part as a file), and may not exceed 20 KB in all.
 */
export function readPostForm(req: IncomingMessage): Promise<PostForm> {
  return new Promise<PostForm>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fieldSize: MAX_FIELDS_BYTES + 1, fields: 1000, parts: 1000 } });
    } catch (error) {
      reject(malformed(error));
      return;
    }
    const fields = new Map<string, string>();
    let fieldBytes = 0;
    let fileSeen = false;
    let pending = Promise.resolve();
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const finished = new Promise<void>((resolveFinished, rejectFinished) => {
      settle = { resolve: resolveFinished, reject: rejectFinished };
    });
    finished.catch(() => undefined); // observed by the caller once it has the file; an early failure rejects the form instead
    const fail = (error: Error): void => {
      req.unpipe(parser);
      req.resume();
      if (fileSeen) settle?.reject(error);
      else reject(error);
    };
    const addField = (name: string, value: string): void => {
      fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (fieldBytes > MAX_FIELDS_BYTES) throw tooLarge();
      fields.set(name.toLowerCase(), value);
    };
    const fileFound = (stream: Readable, filename: string | undefined): void => {
      fileSeen = true;
      const form: PostForm = { fields, file: { stream, filename }, finished };
      // Fields sent as file parts are read before the file is handed over, so they are all known.
      pending.then(
        () => resolve(form),
        (error: Error) => {
          stream.resume();
          fail(error);
        },
      );
    };

    parser.on('field', (name, value) => {
      if (fileSeen) return;
      if (name.toLowerCase() === 'file') {
        fileFound(Readable.from([Buffer.from(value, 'utf8')]), undefined);
        return;
      }
      try {
        addField(name, value);
      } catch (error) {
        fail(error as Error);
      }
    });
    parser.on('file', (name, stream, info) => {
      if (fileSeen) {
        stream.resume(); // S3 ignores what follows the file
        return;
      }
      if (name.toLowerCase() === 'file') {
        fileFound(stream, info.filename);
        return;
      }
      // A field sent as a file part: read it, within the fields' limit.
      const chunks: Buffer[] = [];
      let size = 0;
      pending = pending.then(
        () =>
          new Promise<void>((resolveField, rejectField) => {
            stream.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size <= MAX_FIELDS_BYTES) chunks.push(chunk);
            });
            stream.on('error', rejectField);
            stream.on('end', () => {
              try {
                if (size > MAX_FIELDS_BYTES) throw tooLarge();
                addField(name, Buffer.concat(chunks).toString('utf8'));
                resolveField();
              } catch (error) {
                rejectField(error as Error);
              }
            });
          }),
      );
    });
    parser.on('error', (error: Error) => fail(malformed(error)));
    parser.on('close', () => {
      if (fileSeen) settle?.resolve();
      else
        pending.then(
          () =>
            reject(
              S3_ERRORS.error('InvalidArgument', 'POST requires exactly one file upload per request.', {
                fields: { ArgumentName: 'file', ArgumentValue: '0' },
              }),
            ),
          reject,
        );
    });
    req.on('error', (error) => parser.destroy(error));
    req.on('aborted', () => parser.destroy(malformed(new Error('the request was cut short'))));
    req.pipe(parser);
  });
}

function tooLarge(): Error {
  return S3_ERRORS.error('MaxPostPreDataLengthExceeded', 'Your POST request fields preceeding the upload file was too large.');
}

function malformed(cause: unknown): Error {
  return S3_ERRORS.error('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', { cause });
}
