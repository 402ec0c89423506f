/**
 * Durable simulator state over a FileJournal. Containers report changed keys (tracked.ts); a flush
 * writes the current value of every reported key, the ordered clears/drops and the touched stores'
 * counters as one journal line. A request flushes before it is answered; changes made outside a
 * request (timers, control API) are flushed on the next turn of the event loop.
 */
import type { Registry, Store } from "../state";
import { FileJournal } from "./journal";
import { SKIP, type ChangeSink, type Persistable } from "./tracked";

export interface DurableStoreOptions {
  /** Data folder, e.g. `.data/simulator`. */
  dir: string;
  /** fdatasync before answering (power-loss safe, ~3 ms per group of requests here); default false. */
  fsync?: boolean;
  /** Compact when the journal passes this many bytes (and the last snapshot's size). Default 64 MB. */
  compactBytes?: number;
}

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const REGISTRY_SCOPE = "";

type Rec = Record<string, unknown>;

function counters(store: Store): Rec {
  const { chargesByMetadata: _, ...rest } = store.stats;
  return rest;
}

export class Persister implements ChangeSink {
  private readonly journal: FileJournal;
  private readonly pending = new Map<Persistable, Set<string>>();
  private ops: Rec[] = [];
  private readonly statsDirty = new Set<Store>();
  private readonly byName = new WeakMap<object, Map<string, Persistable>>();
  private scheduled = false;
  private readOnly = false;
  private snapshotBytes = 0;
  private readonly compactBytes: number;
  private closed = false;

  private constructor(
    private readonly reg: Registry,
    opts: DurableStoreOptions,
  ) {
    this.journal = new FileJournal(opts.dir, { fsync: opts.fsync ?? false });
    this.compactBytes = opts.compactBytes ?? 64 * 1024 * 1024;
  }

  /** Loads the folder into `reg` (which must be empty), compacts, and starts journaling its changes. */
  static open(reg: Registry, opts: DurableStoreOptions): Persister {
    const p = new Persister(reg, opts);
    let clockOffset = 0;
    let maxCreated = 0;
    p.journal.open((rec) => {
      const r = p.apply(rec);
      if (r.clock !== undefined) clockOffset = r.clock;
      if (r.created > maxCreated) maxCreated = r.created;
    });
    reg.clock.restore(clockOffset, maxCreated);
    const now = Date.now();
    for (const s of reg.stores.values()) s.pruneIdempotency(now, IDEMPOTENCY_TTL_MS);
    p.compact();
    p.bind();
    return p;
  }

  // ---- replay -------------------------------------------------------------------------------

  private containers(owner: Registry | Store): Map<string, Persistable> {
    let m = this.byName.get(owner);
    if (!m) {
      m = new Map(owner.persistables());
      this.byName.set(owner, m);
    }
    return m;
  }

  private apply(rec: Rec): { clock?: number; created: number } {
    let created = 0;
    let clock: number | undefined;
    const one = (r: Rec): void => {
      if (typeof r.clock === "number") {
        clock = r.clock;
        return;
      }
      if (r.dropAll) {
        this.reg.stores.clear();
        return;
      }
      const scope = String(r.s ?? "");
      if (r.drop) {
        this.reg.stores.delete(scope);
        return;
      }
      const owner = scope === REGISTRY_SCOPE ? this.reg : this.reg.store(scope);
      if (r.stats && owner !== this.reg) {
        Object.assign((owner as Store).stats, r.stats);
        return;
      }
      const c = this.containers(owner).get(String(r.c));
      if (!c) return; // a container this version no longer has
      if (r.x) {
        c.restoreClear();
        return;
      }
      const v = r.v as { created?: unknown } | undefined;
      c.restore(String(r.k), v);
      if (v && typeof v.created === "number" && v.created > created) created = v.created;
    };
    if (Array.isArray(rec.b)) for (const r of rec.b as Rec[]) one(r);
    else one(rec);
    return { clock, created };
  }

  // ---- tracking -----------------------------------------------------------------------------

  private bind(): void {
    for (const [name, c] of this.reg.persistables()) c.persist = { sink: this, scope: REGISTRY_SCOPE, name };
    for (const s of this.reg.stores.values()) this.attach(s);
    this.reg.storeHooks = {
      attach: (s) => this.attach(s),
      used: (s) => this.statsDirty.add(s),
      dropped: (s) => this.dropped(s),
    };
    this.reg.clock.onAdvance = (offset) => {
      this.ops.push({ clock: offset });
      this.schedule();
    };
  }

  private attach(store: Store): void {
    for (const [name, c] of store.persistables()) c.persist = { sink: this, scope: store.apiKey, name };
    this.statsDirty.add(store);
    this.schedule();
  }

  private dropped(store: Store | null): void {
    if (store === null) {
      this.ops.push({ dropAll: 1 });
    } else {
      for (const [, c] of store.persistables()) {
        this.pending.delete(c);
        c.persist = null;
      }
      this.statsDirty.delete(store);
      this.ops.push({ s: store.apiKey, drop: 1 });
    }
    this.schedule();
  }

  changed(c: Persistable, key: string): void {
    if (this.readOnly) return;
    let keys = this.pending.get(c);
    if (!keys) {
      keys = new Set();
      this.pending.set(c, keys);
    }
    keys.add(key);
    this.schedule();
  }

  cleared(c: Persistable): void {
    const b = c.persist;
    if (!b) return;
    this.pending.delete(c);
    this.ops.push({ s: b.scope, c: b.name, x: 1 });
    this.schedule();
  }

  /** Runs a read-only handler (a GET): the records it fetches are not rewritten. */
  reading<T>(fn: () => T): T {
    this.readOnly = true;
    try {
      return fn();
    } finally {
      this.readOnly = false;
    }
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  // ---- writing ------------------------------------------------------------------------------

  /** Writes what changed as one journal line; returns whether anything was written. */
  flush(): boolean {
    if (this.closed) return false;
    const recs: Rec[] = this.ops;
    this.ops = [];
    for (const [c, keys] of this.pending) {
      const b = c.persist;
      if (!b) continue;
      for (const k of keys) {
        const v = c.persistedValue(k);
        if (v === SKIP) continue;
        recs.push(v === undefined ? { s: b.scope, c: b.name, k } : { s: b.scope, c: b.name, k, v });
      }
    }
    this.pending.clear();
    // Counters alone (a GET) wait for the next real change or close(): no write per read.
    if (recs.length === 0) return false;
    for (const s of this.statsDirty) recs.push({ s: s.apiKey, stats: counters(s) });
    this.statsDirty.clear();
    this.journal.append(JSON.stringify({ b: recs }));
    if (this.journal.journalBytes > Math.max(this.compactBytes, this.snapshotBytes)) this.compact();
    return true;
  }

  /** Flushes now; resolves when the flushed state is as durable as configured (before answering a request). */
  commit(): Promise<void> | undefined {
    const wrote = this.flush();
    return wrote && this.journal.fsyncEnabled ? this.journal.sync() : undefined;
  }

  /** Rewrites the whole state as a snapshot and starts an empty journal. */
  compact(): void {
    this.journal.compact(this.snapshotLines());
    this.snapshotBytes = this.journal.lastSnapshotBytes;
  }

  private *snapshotLines(): Iterable<string> {
    const offset = this.reg.clock.offsetSeconds;
    if (offset !== 0) yield JSON.stringify({ clock: offset });
    for (const s of this.reg.stores.values()) {
      yield JSON.stringify({ s: s.apiKey, stats: counters(s) });
      for (const [name, c] of s.persistables()) for (const [k, v] of c.persistedEntries()) if (v !== SKIP) yield JSON.stringify({ s: s.apiKey, c: name, k, v });
    }
    for (const [name, c] of this.reg.persistables()) for (const [k, v] of c.persistedEntries()) if (v !== SKIP) yield JSON.stringify({ s: REGISTRY_SCOPE, c: name, k, v });
  }

  /** Final flush (with every store's counters) and release of the folder. */
  close(): void {
    if (this.closed) return;
    for (const s of this.reg.stores.values()) this.ops.push({ s: s.apiKey, stats: counters(s) });
    this.statsDirty.clear();
    this.flush();
    this.closed = true;
    this.journal.close();
  }
}
