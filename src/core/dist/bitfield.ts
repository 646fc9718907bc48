/** Which blocks of a content a node holds: bit `i` is byte `i >> 3`, most significant bit first. */
export class Bitfield {
  readonly size: number;
  private readonly bits: Uint8Array<ArrayBuffer>;
  private held = 0;

  constructor(size: number, indexes: Iterable<number> = []) {
    this.size = size;
    this.bits = new Uint8Array(Math.ceil(size / 8));
    for (const index of indexes) this.add(index);
  }

  /**
   * A peer's bitfield for a content of `size` blocks; undefined if its length is wrong or a bit
   * past the end is set. An empty one means the peer holds nothing.
   */
  static read(size: number, bytes: Uint8Array): Bitfield | undefined {
    if (bytes.length === 0) return new Bitfield(size);
    if (bytes.length !== Math.ceil(size / 8)) return undefined;
    const field = new Bitfield(size);
    for (let index = 0; index < bytes.length * 8; index += 1) {
      if (((bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) === 0) continue;
      if (index >= size) return undefined;
      field.add(index);
    }
    return field;
  }

  get count(): number {
    return this.held;
  }

  get complete(): boolean {
    return this.held === this.size;
  }

  has(index: number): boolean {
    return ((this.bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
  }

  /** Sets bit `index`; false if it was set already or is out of range. */
  add(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.size || this.has(index)) return false;
    this.bits[index >> 3] = (this.bits[index >> 3] ?? 0) | (0x80 >> (index & 7));
    this.held += 1;
    return true;
  }

  /** Clears bit `index`; false if it was clear. */
  remove(index: number): boolean {
    if (!this.has(index) || index < 0 || index >= this.size) return false;
    this.bits[index >> 3] = (this.bits[index >> 3] ?? 0) & ~(0x80 >> (index & 7));
    this.held -= 1;
    return true;
  }

  /** The wire form: `size` bits, or nothing when no bit is set. */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.held === 0 ? new Uint8Array(0) : this.bits.slice();
  }
}
