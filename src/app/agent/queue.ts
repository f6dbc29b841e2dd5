/**
 * A bounded FIFO for violation records waiting to be sent. When it is full the oldest record
 * goes: while the control plane is away, the newest picture of the cluster is the useful one,
 * and memory stays bounded however long the outage lasts. Drops are counted, never silent.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** How many records were dropped because the queue was full, since it was made. */
  get dropped(): number {
    return this.droppedCount;
  }

  push(item: T): void {
    if (this.size >= this.capacity) {
      this.head++;
      this.droppedCount++;
    }
    this.items.push(item);
    this.compact();
  }

  /** Takes up to `max` of the oldest records. */
  take(max: number): T[] {
    const end = Math.min(this.items.length, this.head + Math.max(0, max));
    const out = this.items.slice(this.head, end);
    this.head = end;
    this.compact();
    return out;
  }

  /**
   * Puts records that could not be sent back at the front, in order. Whatever no longer fits
   * (newer records arrived meanwhile) is dropped from the oldest end and counted.
   */
  requeue(batch: readonly T[]): void {
    const room = this.capacity - this.size;
    const kept = batch.length > room ? batch.slice(batch.length - Math.max(0, room)) : batch;
    this.droppedCount += batch.length - kept.length;
    this.items = [...kept, ...this.items.slice(this.head)];
    this.head = 0;
  }

  /** Drops the consumed prefix once it outweighs the live part (amortized O(1) push/take). */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
