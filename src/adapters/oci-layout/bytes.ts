/**
 * Bytes pulled from an async source on demand: the tar reader asks for a 512-byte header or
 * skips a large file's content without holding more than one chunk of it.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private length = 0;
  private done = false;
  /** Bytes taken or skipped so far (offsets in error messages). */
  consumed = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Makes at least `n` bytes available unless the source ends first; returns whether it could. */
  async fill(n: number): Promise<boolean> {
    while (this.length < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else if (next.value.length > 0) {
        this.chunks.push(next.value);
        this.length += next.value.length;
      }
    }
    return this.length >= n;
  }

  get available(): number {
    return this.length;
  }

  /** Takes exactly `n` bytes (call `fill(n)` first). */
  take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first !== undefined && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks, this.length);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.length -= n;
    this.consumed += n;
    return out;
  }

  /** Discards `n` bytes; false when the source ended first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.length === 0 && !(await this.fill(1))) return false;
      const step = Math.min(left, this.chunks[0]?.length ?? 0);
      this.take(step);
      left -= step;
    }
    return true;
  }
}
