/**
 * Sequential byte sources the tar reader pulls from: a Node Readable (any stream, e.g. a pipe) or a
 * file read in chunks (which can also skip members without reading them, for index scans).
 * Neither holds more than one chunk plus the requested bytes in memory.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface ByteSource {
  /** Exactly n bytes, or fewer at end of input. The result may be a view on an internal chunk. */
  read(n: number): Promise<Buffer>;
  /** Skips up to n bytes; returns how many were skipped (fewer only at end of input). */
  skip(n: number): Promise<number>;
  close(): Promise<void>;
}

const EMPTY = Buffer.alloc(0);

/** Pulls chunks from a Readable's async iterator. */
export class StreamByteSource implements ByteSource {
  private readonly chunks: AsyncIterator<Buffer | string>;
  private current: Buffer = EMPTY;
  private pos = 0;
  private ended = false;

  constructor(private readonly stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.current = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    this.pos = 0;
    return true;
  }

  async read(n: number): Promise<Buffer> {
    const available = this.current.length - this.pos;
    if (available >= n) {
      const out = this.current.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      if (this.pos >= this.current.length && !(await this.fill())) break;
      const take = Math.min(n - filled, this.current.length - this.pos);
      this.current.copy(out, filled, this.pos, this.pos + take);
      this.pos += take;
      filled += take;
    }
    return filled === n ? out : out.subarray(0, filled);
  }

  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      if (this.pos >= this.current.length && !(await this.fill())) break;
      const take = Math.min(n - skipped, this.current.length - this.pos);
      this.pos += take;
      skipped += take;
    }
    return skipped;
  }

  async close(): Promise<void> {
    this.stream.destroy();
  }
}

/** Reads a file through a fixed-size buffer; skips by moving the file position. */
export class FileByteSource implements ByteSource {
  private buffer: Buffer;
  private start = 0;
  private end = 0;
  private filePos = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly fileSize: number,
    chunkSize: number,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkSize);
  }

  static async open(path: string, chunkSize = 1 << 20): Promise<FileByteSource> {
    const handle = await open(path, 'r');
    try {
      const st = await handle.stat();
      return new FileByteSource(handle, st.size, chunkSize);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  private async fill(): Promise<boolean> {
    if (this.filePos >= this.fileSize) return false;
    const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, this.filePos);
    if (bytesRead === 0) return false;
    this.filePos += bytesRead;
    this.start = 0;
    this.end = bytesRead;
    return true;
  }

  async read(n: number): Promise<Buffer> {
    if (this.end - this.start >= n) {
      const out = this.buffer.subarray(this.start, this.start + n);
      this.start += n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      if (this.start >= this.end) {
        // A large read goes straight into the output instead of through the chunk buffer.
        const want = n - filled;
        if (want >= this.buffer.length) {
          const { bytesRead } = await this.handle.read(out, filled, want, this.filePos);
          this.filePos += bytesRead;
          filled += bytesRead;
          break;
        }
        if (!(await this.fill())) break;
      }
      const take = Math.min(n - filled, this.end - this.start);
      this.buffer.copy(out, filled, this.start, this.start + take);
      this.start += take;
      filled += take;
    }
    return filled === n ? out : out.subarray(0, filled);
  }

  async skip(n: number): Promise<number> {
    const buffered = this.end - this.start;
    if (n <= buffered) {
      this.start += n;
      return n;
    }
    this.start = this.end;
    const rest = Math.min(n - buffered, this.fileSize - this.filePos);
    this.filePos += rest;
    return buffered + rest;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
