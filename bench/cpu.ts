/**
 * CPU accounting per component from /proc (Linux): the app's process group, the job worker, the
 * PostgreSQL backends connected to the bench database, and this process (load driver + PSP
 * simulator + webhook receiver). Also the database's committed and rolled back transactions
 * (pg_stat_database; reported with up to a second of delay).
 * Used to express cost as CPU milliseconds per lifecycle, which bounds throughput on 2 cores.
 */
import { readdirSync, readFileSync } from "node:fs";
import type postgres from "postgres";

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** utime + stime of one process in ms, or undefined when it is gone. */
function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // rest[0] = state (field 3); utime = field 14, stime = field 15
    return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function pgidOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
}

function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    if (pgidOf(pid) === pgid) out.push(pid);
  }
  return out;
}

export interface CpuSnapshot {
  app: Map<number, number>;
  pg: Map<number, number>;
  worker: number;
  self: number;
  xacts: number;
}

export interface CpuUsage {
  appMs: number;
  pgMs: number;
  /** The job worker process (0 when there is none). */
  workerMs: number;
  selfMs: number;
  /** Transactions of every client of the bench database (app, worker, bench), from pg_stat_database. */
  xacts: number;
}

export class CpuMeter {
  constructor(
    private readonly appPgid: number,
    private readonly admin: postgres.Sql,
    private readonly dbName: string,
    private readonly workerPid = -1,
  ) {}

  private async xacts(): Promise<number> {
    const [row] = await this.admin<{ n: string }[]>`select (xact_commit + xact_rollback)::text as n from pg_stat_database where datname = ${this.dbName}`;
    return Number(row?.n ?? 0);
  }

  private async pgPids(): Promise<number[]> {
    const rows = await this.admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${this.dbName} and pid <> pg_backend_pid()`;
    return rows.map((r) => r.pid);
  }

  async snapshot(): Promise<CpuSnapshot> {
    const app = new Map<number, number>();
    for (const pid of groupPids(this.appPgid)) {
      const ms = procCpuMs(pid);
      if (ms !== undefined) app.set(pid, ms);
    }
    const pg = new Map<number, number>();
    for (const pid of await this.pgPids()) {
      const ms = procCpuMs(pid);
      if (ms !== undefined) pg.set(pid, ms);
    }
    const u = process.cpuUsage();
    const worker = this.workerPid > 0 ? (procCpuMs(this.workerPid) ?? 0) : 0;
    return { app, pg, worker, self: (u.user + u.system) / 1000, xacts: await this.xacts() };
  }

  /** CPU used between `before` and now; processes that appeared in between count from zero. */
  async since(before: CpuSnapshot): Promise<CpuUsage> {
    const after = await this.snapshot();
    const delta = (b: Map<number, number>, a: Map<number, number>) => {
      let sum = 0;
      for (const [pid, ms] of a) sum += ms - (b.get(pid) ?? 0);
      return sum;
    };
    return {
      appMs: delta(before.app, after.app),
      pgMs: delta(before.pg, after.pg),
      workerMs: after.worker - before.worker,
      selfMs: after.self - before.self,
      xacts: after.xacts - before.xacts,
    };
  }
}
