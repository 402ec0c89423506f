/**
 * The simulator's data folder: `snapshot.ndjson` (the whole state at the last compaction) and
 * `journal.ndjson` (one line per flushed batch since then). Both start with a `{"gen":N}` line;
 * the journal is replayed only over the snapshot of its generation. A torn last line (the process
 * died mid-write) is cut off on open, so a batch is applied entirely or not at all.
 */
import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface JournalOptions {
  /** fdatasync each batch before the answer (survives power loss); otherwise a batch is in the OS before the answer (survives a killed process). */
  fsync: boolean;
}

export class FileJournal {
  private fd = -1;
  private bytes = 0;
  private gen = 0;
  private snapshotSize = 0;
  private syncing: Promise<void> | null = null;
  private readonly lockPath: string;

  constructor(
    readonly dir: string,
    private readonly opts: JournalOptions,
  ) {
    this.lockPath = join(dir, "LOCK");
  }

  get lastSnapshotBytes(): number {
    return this.snapshotSize;
  }

  get journalBytes(): number {
    return this.bytes;
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  /** Takes the folder (one simulator per folder), replays snapshot + journal into `apply`. */
  open(apply: (rec: Record<string, unknown>) => void): void {
    mkdirSync(this.dir, { recursive: true });
    this.lock();
    let snapGen = 0;
    const snap = this.path("snapshot.ndjson");
    if (existsSync(snap)) {
      const lines = readFileSync(snap, "utf8").split("\n");
      for (const line of lines) {
        if (!line) continue;
        const rec = JSON.parse(line) as Record<string, unknown>;
        if (typeof rec.gen === "number") snapGen = rec.gen;
        else apply(rec);
      }
    }
    this.gen = snapGen;
    const journal = this.path("journal.ndjson");
    if (existsSync(journal)) {
      const text = readFileSync(journal, "utf8");
      let offset = 0;
      let first = true;
      while (offset < text.length) {
        const nl = text.indexOf("\n", offset);
        if (nl < 0) break; // torn tail: never acknowledged
        const line = text.slice(offset, nl);
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(line) as Record<string, unknown>;
        } catch {
          break; // a torn line can only be the last one written
        }
        if (first) {
          first = false;
          if (rec.gen !== snapGen) break; // journal of an older generation: the snapshot has it all
        } else apply(rec);
        offset = nl + 1;
      }
    }
  }

  /** Starts a fresh journal after a snapshot of the full state (`lines`), written atomically. */
  compact(lines: Iterable<string>): void {
    const next = this.gen + 1;
    const tmp = this.path("snapshot.ndjson.tmp");
    const fd = openSync(tmp, "w");
    try {
      let buf = `${JSON.stringify({ gen: next })}\n`;
      let size = 0;
      for (const line of lines) {
        buf += `${line}\n`;
        if (buf.length > 1 << 20) {
          size += writeSync(fd, buf);
          buf = "";
        }
      }
      size += writeSync(fd, buf);
      this.snapshotSize = size;
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path("snapshot.ndjson"));
    this.syncDir();
    this.gen = next;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = openSync(this.path("journal.ndjson"), "a+");
    ftruncateSync(this.fd, 0);
    const header = `${JSON.stringify({ gen: next })}\n`;
    writeSync(this.fd, header);
    fdatasyncSync(this.fd);
    this.bytes = fstatSync(this.fd).size;
  }

  /** Appends one batch line; it is in the OS when this returns. */
  append(line: string): void {
    this.bytes += writeSync(this.fd, `${line}\n`);
  }

  /** Resolves when everything appended so far is on disk; concurrent callers share one fdatasync. */
  sync(): Promise<void> {
    if (!this.opts.fsync) return Promise.resolve();
    if (this.syncing) {
      return this.syncing.then(() => this.sync());
    }
    this.syncing = new Promise<void>((resolve, reject) => {
      fdatasync(this.fd, (err) => {
        this.syncing = null;
        if (err) reject(err);
        else resolve();
      });
    });
    return this.syncing;
  }

  get fsyncEnabled(): boolean {
    return this.opts.fsync;
  }

  close(): void {
    if (this.fd >= 0) {
      fdatasyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
    }
    try {
      unlinkSync(this.lockPath);
    } catch {
      // already gone
    }
  }

  private syncDir(): void {
    try {
      const d = openSync(this.dir, "r");
      fdatasyncSync(d);
      closeSync(d);
    } catch {
      // some filesystems refuse fsync on directories
    }
  }

  private lock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.lockPath, String(process.pid), { flag: "wx" });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const pid = Number(readFileSync(this.lockPath, "utf8"));
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
          throw new Error(`simulator store ${this.dir} is in use by process ${pid}`);
        }
        unlinkSync(this.lockPath); // left by a process that died
      }
    }
    throw new Error(`could not lock simulator store ${this.dir}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
