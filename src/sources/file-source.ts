/** Local files read with positioned reads (no mmap on Node 20 that builds here; see README). */
import { open, type FileHandle } from 'node:fs/promises';
import { SourceError } from '../errors.js';
import { checkRange, type ByteSource } from './byte-source.js';

/** A {@link ByteSource} over a local file. */
export class FileSource implements ByteSource {
  private constructor(
    readonly name: string,
    readonly size: number,
    private handle: FileHandle | null,
  ) {}

  /** Open a file for random access. */
  static async open(path: string): Promise<FileSource> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new SourceError(
        code === 'ENOENT' ? 'NOT_FOUND' : 'IO',
        `cannot open: ${(e as Error).message}`,
        {
          where: { file: path },
          cause: e,
        },
      );
    }
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new SourceError('IO', 'not a regular file', { where: { file: path } });
    }
    return new FileSource(path, st.size, fh);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const buf = new Uint8Array(length);
    await this.readInto(buf, offset);
    return buf;
  }

  /** Read into a caller-provided buffer (lets hot loops reuse buffers). */
  async readInto(buf: Uint8Array, offset: number): Promise<void> {
    checkRange(this, offset, buf.length);
    if (!this.handle) throw new SourceError('IO', 'file is closed', { where: { file: this.name } });
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await this.handle.read(buf, done, buf.length - done, offset + done);
      if (bytesRead === 0) {
        throw new SourceError(
          'SHORT_READ',
          `file shrank while reading: got ${done} of ${buf.length} bytes`,
          {
            where: { file: this.name, offset: offset + done },
          },
        );
      }
      done += bytesRead;
    }
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    await h?.close();
  }
}
