/** Turns a stream of text chunks into whole lines; a partial last line waits for the next chunk. */
export class LineSplitter {
  private pending = '';

  push(chunk: string): string[] {
    const text = this.pending + chunk;
    const lines = text.split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    return lines;
  }

  /** The unterminated tail, for when the stream ends. */
  flush(): string[] {
    const tail = this.pending;
    this.pending = '';
    return tail === '' ? [] : [tail];
  }
}
