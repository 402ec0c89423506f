/**
 * Profiling experiments behind the bench figures (not part of `npm run bench`):
 *
 *   npx tsx bench/profile.ts [rtt|pool|inproc|raw|all]
 *
 *  rtt    : the real app behind a counting PostgreSQL proxy; sequential lifecycles; per operation:
 *           round trips (ReadyForQuery), Parse messages, DB wait, request time, CPU of app and pg.
 *  pool   : one open-loop rate against the app with DB_POOL_MAX 5/10/20/40.
 *  inproc : the route handlers called in-process (no Next HTTP server), closed loop, to split
 *           framework cost from application cost.
 *  raw    : the raw replay with builder statements unprepared (as the API) vs all prepared, and
 *           its own round trips through the proxy.
 * Env: BENCH_SECONDS (default 5), PROFILE_RATE (pool experiment, default 30).
 */
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { createDatabase } from "../db/client";
import { createMerchant } from "../server/merchants/service";
import { startSimulator } from "../server/psp/simulator/server";
import { ensureBuild, killAllAppsSync, startApp, type RunningApp } from "./app";
import { CpuMeter } from "./cpu";
import { setupDatabase } from "./db";
import { newLoadLedger, runStep } from "./load";
import { diff, startPgProxy, type ProtoCounters } from "./pgproxy";
import { benchRaw } from "./raw";
import { round, summarize, table } from "./stats";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const which = process.argv[2] ?? "all";
const stamp = `prof_${Date.now()}`;
const log = (m: string) => console.log(m);
process.on("exit", killAllAppsSync);

const db = await setupDatabase(stamp);
const dbName = decodeURIComponent(new URL(db.url).pathname.slice(1));
const sim = await startSimulator({ port: 0 });
const pspKey = `sk_test_${stamp}`;
ensureBuild(log);
const setup = createDatabase(db.url, { max: 1 });
const merchant = await createMerchant(setup.db, { name: "profile" });
await setup.close();
log(`loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);

async function form(url: string, key: string, path: string, body: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${merchant.secretKey}`, "content-type": "application/x-www-form-urlencoded", "idempotency-key": key },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

type OpName = "create" | "confirm" | "capture" | "refund" | "replay";

async function rtt(): Promise<void> {
  const proxy = await startPgProxy({ host: "127.0.0.1", port: 5432 });
  const proxied = new URL(db.url);
  proxied.port = String(proxy.port);
  const app = await startApp({ databaseUrl: proxied.toString(), pspUrl: sim.url, pspKey, poolMax: 20 });
  const admin = postgres(db.url, { max: 1, onnotice: () => {} });
  const meter = new CpuMeter(app.pid, admin, dbName);
  const per: Record<OpName, { rt: number[]; parse: number[]; waitMs: number[]; reqMs: number[]; appCpu: number[]; pgCpu: number[] }> = {
    create: { rt: [], parse: [], waitMs: [], reqMs: [], appCpu: [], pgCpu: [] },
    confirm: { rt: [], parse: [], waitMs: [], reqMs: [], appCpu: [], pgCpu: [] },
    capture: { rt: [], parse: [], waitMs: [], reqMs: [], appCpu: [], pgCpu: [] },
    refund: { rt: [], parse: [], waitMs: [], reqMs: [], appCpu: [], pgCpu: [] },
    replay: { rt: [], parse: [], waitMs: [], reqMs: [], appCpu: [], pgCpu: [] },
  };
  const measure = async <T>(op: OpName, fn: () => Promise<T>, record: boolean): Promise<T> => {
    const c0: ProtoCounters = { ...proxy.counters };
    const cpu0 = record ? await meter.snapshot() : undefined;
    const t0 = performance.now();
    const out = await fn();
    const ms = performance.now() - t0;
    const d = diff(c0, proxy.counters);
    if (record && cpu0) {
      const cpu = await meter.since(cpu0);
      per[op].rt.push(d.ready);
      per[op].parse.push(d.parse);
      per[op].waitMs.push(d.waitMs);
      per[op].reqMs.push(ms);
      per[op].appCpu.push(cpu.appMs);
      per[op].pgCpu.push(cpu.pgMs);
    }
    return out;
  };
  const lifecycle = async (i: number, record: boolean) => {
    const k = `${stamp}_${i}`;
    const pi = await measure("create", () => form(app.url, `${k}_c`, "/v1/payment_intents", "amount=5000&currency=usd&capture_method=manual&payment_method=pm_card_visa"), record);
    await measure("replay", () => form(app.url, `${k}_c`, "/v1/payment_intents", "amount=5000&currency=usd&capture_method=manual&payment_method=pm_card_visa"), record);
    await measure("confirm", () => form(app.url, `${k}_f`, `/v1/payment_intents/${String(pi.id)}/confirm`, ""), record);
    await measure("capture", () => form(app.url, `${k}_p`, `/v1/payment_intents/${String(pi.id)}/capture`, ""), record);
    await measure("refund", () => form(app.url, `${k}_r`, "/v1/refunds", `payment_intent=${String(pi.id)}&amount=100`), record);
  };
  try {
    for (let i = 0; i < 30; i++) await lifecycle(i, false);
    for (let i = 30; i < 130; i++) await lifecycle(i, true);
    const avg = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length), 2);
    log("\n== rtt: real app, sequential lifecycles, per request (CPU values are 10 ms ticks averaged over 100 requests) ==");
    log(
      table(
        ["op", "round_trips", "parse_msgs", "db_wait_ms", "request_ms", "app_cpu_ms", "pg_cpu_ms"],
        (Object.keys(per) as OpName[]).map((op) => [op, avg(per[op].rt), avg(per[op].parse), avg(per[op].waitMs), avg(per[op].reqMs), avg(per[op].appCpu), avg(per[op].pgCpu)]),
      ),
    );
    // Raw replay through the same proxy: its round trips per lifecycle.
    const c0 = { ...proxy.counters };
    const r = await benchRaw({ databaseUrl: proxied.toString(), seconds: 2, concurrency: 1 });
    const d = diff(c0, proxy.counters);
    log(`raw replay through the proxy (1 client, incl. warm-up): ${r.statementsPerLifecycle} statements/lifecycle counted by the replayer; ${round(d.ready / (r.lifecycles + 5), 1)} round trips and ${round(d.parse / (r.lifecycles + 5), 1)} Parse per lifecycle on the wire`);
  } finally {
    await admin.end({ timeout: 5 });
    await app.stop();
    await proxy.close();
  }
}

async function pool(): Promise<void> {
  const rate = Number(process.env.PROFILE_RATE ?? 30);
  const rows: (string | number)[][] = [];
  for (const poolMax of [5, 10, 20, 40]) {
    const app: RunningApp = await startApp({ databaseUrl: db.url, pspUrl: sim.url, pspKey, poolMax });
    try {
      const target = { url: app.url, secretKey: merchant.secretKey };
      const opts = { inflightCap: 512, refundShare: 0.1, replayShare: 0.05, requestTimeoutMs: 30_000 };
      await runStep(target, { ...opts, rate: 15, seconds: 2 }, newLoadLedger());
      const s = await runStep(target, { ...opts, rate, seconds }, newLoadLedger());
      rows.push([poolMax, rate, s.achieved, s.failed + s.dropped, s.service.create.p50, s.service.confirm.p50, s.service.confirm.p99, s.avgInflight]);
    } finally {
      await app.stop();
    }
  }
  log(`\n== pool: open loop at ${rate} lifecycles/s for ${seconds}s, app DB_POOL_MAX varied ==`);
  log(table(["pool_max", "offered", "achieved", "errors", "create_p50", "confirm_p50", "confirm_p99", "avg_inflight"], rows));
}

async function inproc(): Promise<void> {
  // The route modules read env on first use: point them at the bench database and simulator.
  process.env.DATABASE_URL = db.url;
  process.env.STRIPE_API_BASE = sim.url;
  process.env.STRIPE_SECRET_KEY = pspKey;
  process.env.DB_POOL_MAX = "20";
  process.env.LOG_LEVEL = "silent";
  const create = await import("../app/v1/payment_intents/route");
  const confirm = await import("../app/v1/payment_intents/[id]/confirm/route");
  const capture = await import("../app/v1/payment_intents/[id]/capture/route");
  const call = async (handler: (r: Request) => Promise<Response>, path: string, body: string) => {
    const res = await handler(
      new Request(`http://inproc${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${merchant.secretKey}`, "content-type": "application/x-www-form-urlencoded", "idempotency-key": `ip_${Math.random()}` },
        body,
      }),
    );
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as { id: string };
  };
  const lat = { create: [] as number[], confirm: [] as number[], capture: [] as number[] };
  const one = async (rec: boolean) => {
    let t = performance.now();
    const mark = (op: keyof typeof lat) => {
      const n = performance.now();
      if (rec) lat[op].push(n - t);
      t = n;
    };
    const pi = await call(create.POST, "/v1/payment_intents", "amount=5000&currency=usd&capture_method=manual&payment_method=pm_card_visa");
    mark("create");
    const ctx = { params: Promise.resolve({ id: pi.id }) };
    await call((r) => confirm.POST(r, ctx), `/v1/payment_intents/${pi.id}/confirm`, "");
    mark("confirm");
    await call((r) => capture.POST(r, ctx), `/v1/payment_intents/${pi.id}/capture`, "");
    mark("capture");
  };
  const rows: (string | number)[][] = [];
  for (const clients of [4, 8, 16]) {
    await Promise.all(Array.from({ length: clients }, async () => { for (let i = 0; i < 3; i++) await one(false); }));
    for (const k of Object.keys(lat) as (keyof typeof lat)[]) lat[k] = [];
    let n = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    await Promise.all(Array.from({ length: clients }, async () => { while (performance.now() < deadline) { await one(true); n += 1; } }));
    const el = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    rows.push([clients, round(n / el, 1), round((cpu.user + cpu.system) / 1000 / n, 1), summarize(lat.create).p50, summarize(lat.confirm).p50, summarize(lat.confirm).p99, summarize(lat.capture).p50]);
  }
  log("\n== inproc: route handlers called in-process (no Next HTTP server; simulator in the same process), closed loop, lifecycles without refunds/replays ==");
  log(table(["clients", "lifecycles/s", "process_cpu_ms/lc", "create_p50", "confirm_p50", "confirm_p99", "capture_p50"], rows));
  const { getDatabase } = await import("../server/db");
  await getDatabase().close();
}

async function raw(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const [concurrency, prepareAll] of [[8, false], [8, true], [16, false], [4, false]] as const) {
    const admin = postgres(db.url, { max: 1, onnotice: () => {} });
    const meter = new CpuMeter(-1, admin, dbName);
    let before: Awaited<ReturnType<CpuMeter["snapshot"]>> | undefined;
    let pgMs = 0;
    let selfMs = 0;
    const r = await benchRaw({
      databaseUrl: db.url,
      seconds,
      concurrency,
      prepareAll,
      hooks: {
        beforeMeasure: async () => {
          before = await meter.snapshot();
        },
        afterMeasure: async () => {
          const u = await meter.since(before!);
          pgMs = u.pgMs;
          selfMs = u.selfMs;
        },
      },
    });
    await admin.end({ timeout: 5 });
    const n = Math.max(1, r.lifecycles);
    rows.push([concurrency, prepareAll ? "all prepared" : "as API", r.lifecyclesPerSecond, r.statementsPerLifecycle, round(pgMs / n, 1), round(selfMs / n, 1), r.ops.create.p50, r.ops.confirm.p50, r.ops.capture.p50]);
  }
  log("\n== raw: SQL replay (no HTTP, no PSP) ==");
  log(table(["clients", "statements", "lifecycles/s", "stmts/lc", "pg_cpu_ms/lc", "driver_cpu_ms/lc", "create_p50", "confirm_p50", "capture_p50"], rows));
}

/** CPU profile of next-server under a steady open-loop rate; prints self time by package and top functions. */
async function cpuprof(): Promise<void> {
  const { mkdtempSync, readdirSync, readFileSync } = await import("node:fs");
  const dir = mkdtempSync(path.join(os.tmpdir(), "payrail-cpuprof-"));
  const rate = Number(process.env.PROFILE_RATE ?? 25);
  const app = await startApp({ databaseUrl: db.url, pspUrl: sim.url, pspKey, poolMax: 20, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
  let lifecycles = 0;
  try {
    const target = { url: app.url, secretKey: merchant.secretKey };
    const opts = { inflightCap: 512, refundShare: 0.1, replayShare: 0.05, requestTimeoutMs: 30_000 };
    await runStep(target, { ...opts, rate: 15, seconds: 2 }, newLoadLedger());
    const s = await runStep(target, { ...opts, rate, seconds }, newLoadLedger());
    lifecycles = s.succeeded + 30;
  } finally {
    await app.stop();
  }
  await new Promise((r) => setTimeout(r, 1000));
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
  const bySelf = new Map<string, number>();
  const byPkg = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const prof = JSON.parse(readFileSync(path.join(dir, f), "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
    const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < prof.samples.length; i++) {
      const n = nodes.get(prof.samples[i]!)!;
      const dt = (prof.timeDeltas[i] ?? 0) / 1000;
      const name = n.callFrame.functionName || "(anonymous)";
      if (name === "(idle)" || name === "(program)" && false) continue;
      total += dt;
      const url = n.callFrame.url;
      const pkg = name.startsWith("(") ? name : /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.startsWith("node:") ? "node:internal" : url.includes(".next/") ? "app bundle (.next)" : url || "(native)");
      byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + dt);
      const key = `${name} ${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/\.next\//, ".next/")}:${n.callFrame.lineNumber}`;
      bySelf.set(key, (bySelf.get(key) ?? 0) + dt);
    }
  }
  const top = (m: Map<string, number>, k: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
  log(`\n== cpuprof: next-server at ${rate} lifecycles/s for ${seconds}s (+warm-up); ${files.length} profile(s), ${round(total, 0)} ms busy, ${round(total / Math.max(1, lifecycles), 1)} ms per lifecycle ==`);
  log(table(["package (self time)", "ms", "%"], top(byPkg, 15).map(([k, v]) => [k, round(v, 0), round((100 * v) / total, 1)])));
  log("");
  log(table(["function (self time)", "ms", "%"], top(bySelf, 25).map(([k, v]) => [k.slice(0, 110), round(v, 0), round((100 * v) / total, 1)])));
  log(`profiles kept in ${dir}`);
}

try {
  if (which === "cpuprof") await cpuprof();
  if (which === "rtt" || which === "all") await rtt();
  if (which === "raw" || which === "all") await raw();
  if (which === "inproc" || which === "all") await inproc();
  if (which === "pool" || which === "all") await pool();
} finally {
  killAllAppsSync();
  await sim.close();
  await db.cleanup();
  log(`loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}
process.exit(0);
