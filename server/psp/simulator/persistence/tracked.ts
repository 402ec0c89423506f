/**
 * Containers whose changes the durable store journals. A container only reports which key changed;
 * the persister reads the key's current value when it flushes, so in-place mutations of a record
 * fetched through `get` during the same request are caught without a call to mark it dirty.
 */

/** Returned by `persistedValue` for a value that exists but must not be written (e.g. a running idempotency key). */
export const SKIP = Symbol("skip");

export interface ChangeSink {
  changed(container: Persistable, key: string): void;
  cleared(container: Persistable): void;
}

export interface Binding {
  sink: ChangeSink;
  scope: string;
  name: string;
}

export interface Persistable {
  persist: Binding | null;
  /** The journal form of `key`'s current value; undefined when the key is gone. */
  persistedValue(key: string): unknown;
  /** Every entry in journal form, for snapshots. */
  persistedEntries(): Iterable<[string, unknown]>;
  /** Replays a journal entry (undefined removes the key) without reporting a change. */
  restore(key: string, value: unknown): void;
  restoreClear(): void;
}

export function isPersistable(v: unknown): v is Persistable {
  return typeof v === "object" && v !== null && "persist" in v && typeof (v as Persistable).restore === "function";
}

export interface Codec<V> {
  encode(v: V): unknown;
  decode(raw: unknown): V;
}

const identity: Codec<never> = { encode: (v) => v, decode: (raw) => raw as never };

/** A Map whose sets and deletes are journaled; `get` also reports the key when values are mutable objects. */
export class TrackedMap<V> extends Map<string, V> implements Persistable {
  persist: Binding | null = null;
  private readonly codec: Codec<V>;
  private readonly touchOnGet: boolean;

  constructor(opts: { codec?: Codec<V>; touchOnGet?: boolean } = {}) {
    super();
    this.codec = opts.codec ?? (identity as Codec<V>);
    this.touchOnGet = opts.touchOnGet ?? false;
  }

  override get(key: string): V | undefined {
    const v = super.get(key);
    if (v !== undefined && this.touchOnGet && this.persist) this.persist.sink.changed(this, key);
    return v;
  }

  override set(key: string, value: V): this {
    super.set(key, value);
    this.persist?.sink.changed(this, key);
    return this;
  }

  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.persist?.sink.changed(this, key);
    return had;
  }

  override clear(): void {
    super.clear();
    this.persist?.sink.cleared(this);
  }

  persistedValue(key: string): unknown {
    const v = super.get(key);
    return v === undefined ? undefined : this.codec.encode(v);
  }

  *persistedEntries(): Iterable<[string, unknown]> {
    for (const [k, v] of super.entries()) yield [k, this.codec.encode(v)];
  }

  restore(key: string, value: unknown): void {
    if (value === undefined) super.delete(key);
    else super.set(key, this.codec.decode(value));
  }

  restoreClear(): void {
    super.clear();
  }
}

/** A Set of strings whose adds and deletes are journaled. */
export class TrackedSet extends Set<string> implements Persistable {
  persist: Binding | null = null;

  override add(key: string): this {
    super.add(key);
    this.persist?.sink.changed(this, key);
    return this;
  }

  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.persist?.sink.changed(this, key);
    return had;
  }

  override clear(): void {
    super.clear();
    this.persist?.sink.cleared(this);
  }

  persistedValue(key: string): unknown {
    return super.has(key) ? 1 : undefined;
  }

  *persistedEntries(): Iterable<[string, unknown]> {
    for (const k of super.values()) yield [k, 1];
  }

  restore(key: string, value: unknown): void {
    if (value === undefined) super.delete(key);
    else super.add(key);
  }

  restoreClear(): void {
    super.clear();
  }
}
