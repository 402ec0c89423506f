/**
 * `npm run bench`: end-to-end throughput of the merchant API (open-loop stepped load against
 * `next start` + the PSP simulator), the raw SQL ceiling of the same statements, ledger postings/s,
 * then invariant checks. The LAST line of output is:
 *
 *   lifecycles_per_s=N raw_ceiling_per_s=M ratio=R p99_confirm_ms=X
 *
 * Env: DATABASE_URL (default: a fresh payrail_bench_<ts>, dropped at the end), BENCH_SECONDS (10),
 * BENCH_RATES (comma list of lifecycles/s), BENCH_INFLIGHT_CAP (512), BENCH_RAW_CONCURRENCY,
 * BENCH_POOL_MAX (DB_POOL_MAX of the app, 20).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import postgres from "postgres";
import path from "node:path";
import { createDatabase } from "../db/client";
import { createMerchant } from "../server/merchants/service";
import { startSimulator, type RunningSimulator } from "../server/psp/simulator/server";
import { ROOT, ensureBuild, killAllAppsSync, startApp, type RunningApp } from "./app";
import { checkLedger, checkPsp, type Check } from "./checks";
import { CpuMeter, type CpuUsage } from "./cpu";
import { setupDatabase, type BenchDatabase } from "./db";
import { benchLedger, type LedgerBenchResult } from "./ledger";
import { newLoadLedger, runStep, type LoadOptions, type StepResult } from "./load";
import { benchRaw, type RawResult } from "./raw";
import { checksTable, cpuTable, latencyTable, rawTable, stepsTable } from "./report";
import { fmtRate, round } from "./stats";

const PGLEDGER_REFERENCE_PER_S = 1900;
const DEFAULT_RATES = [10, 20, 30, 40, 50, 60, 80, 100, 125, 150, 200, 300, 400, 600, 800];

const log = (m: string) => console.log(m);
const num = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};

const seconds = num("BENCH_SECONDS", 10);
const rates = (process.env.BENCH_RATES ?? "").split(",").map(Number).filter((n) => n > 0);
const ladder = rates.length > 0 ? rates : DEFAULT_RATES;
const inflightCap = num("BENCH_INFLIGHT_CAP", 512);
const poolMax = num("BENCH_POOL_MAX", 20);
const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);

let app: RunningApp | undefined;
let sim: RunningSimulator | undefined;
let database: BenchDatabase | undefined;

async function cleanup(): Promise<void> {
  await app?.stop().catch(() => {});
  app = undefined;
  await sim?.close().catch(() => {});
  sim = undefined;
  await database?.cleanup().catch((e) => log(`warning: could not drop the bench database: ${(e as Error).message}`));
  database = undefined;
}

process.on("exit", killAllAppsSync);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    killAllAppsSync();
    void cleanup().finally(() => process.exit(130));
  });
}

/** The latency objective the sustained rate is measured at (the issue's target: p99 confirm < 50 ms). */
const SLO_P99_CONFIRM_MS = Number(process.env.BENCH_SLO_P99_MS ?? 50);

/**
 * Sustained = throughput at the objective: the best achieved rate among steps that kept up
 * (achieved >= 90% of offered, errors < 1%) with p99 confirm under the objective. Falls back to
 * p99 confirm < 1 s when no step meets it, so a slow run still reports (and says so).
 */
function sustainedStep(steps: StepResult[]): { step: StepResult; metSlo: boolean } | undefined {
  const keptUp = steps.filter((s) => s.errorRate < 0.01 && s.achieved >= 0.9 * s.offered && s.service.confirm.count > 0);
  const bestOf = (xs: StepResult[]) => [...xs].sort((a, b) => b.achieved - a.achieved)[0];
  const atSlo = bestOf(keptUp.filter((s) => s.service.confirm.p99 < SLO_P99_CONFIRM_MS));
  if (atSlo) return { step: atSlo, metSlo: true };
  const loose = bestOf(steps.filter((s) => s.errorRate < 0.01 && s.service.confirm.count > 0 && s.service.confirm.p99 < 1000));
  return loose ? { step: loose, metSlo: false } : undefined;
}

function exploded(s: StepResult): string | null {
  const worstP99 = Math.max(s.service.create.p99, s.service.confirm.p99, s.service.capture.p99);
  if (worstP99 > 1000) return `p99 ${worstP99.toFixed(0)} ms > 1 s`;
  if (s.achieved < 0.9 * s.offered) return `achieved ${s.achieved}/s < 90% of offered ${s.offered}/s`;
  if (s.errorRate > 0.05) return `error rate ${(s.errorRate * 100).toFixed(1)}%`;
  return null;
}

async function main(): Promise<number> {
  const loadAtStart = os.loadavg();
  log(`payrail bench: ${seconds}s per step, ladder ${ladder.join(",")}/s, in-flight cap ${inflightCap}, app DB_POOL_MAX=${poolMax}, ${os.cpus().length} cpus, loadavg ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}`);

  // ---- setup
  database = await setupDatabase(stamp);
  log(`database: ${database.url.replace(/\/\/[^@]*@/, "//")}${database.owned ? " (fresh, dropped at the end)" : ""}`);
  sim = await startSimulator({ port: 0 });
  const pspKey = `sk_test_bench_${stamp}`;
  log(`psp simulator: ${sim.url} (in-process, key ${pspKey})`);
  ensureBuild(log);
  app = await startApp({ databaseUrl: database.url, pspUrl: sim.url, pspKey, poolMax });
  log(`app: ${app.url} (next start, pid/pgid ${app.pid})`);
  const setupDb = createDatabase(database.url, { max: 1 });
  const merchant = await createMerchant(setupDb.db, { name: `bench ${stamp}` }).finally(() => setupDb.close());
  const target = { url: app.url, secretKey: merchant.secretKey };

  // ---- API load: warm-up, then stepped open-loop rates
  const ids = newLoadLedger();
  const base: Omit<LoadOptions, "rate" | "seconds"> = { inflightCap, refundShare: 0.1, replayShare: 0.05, requestTimeoutMs: 30_000 };
  const warm = await runStep(target, { ...base, rate: 20, seconds: 3 }, ids);
  log(`warm-up: ${warm.succeeded} lifecycles ok, ${warm.failed} failed${warm.errorSamples.length ? ` (${warm.errorSamples[0]})` : ""}`);
  if (warm.succeeded === 0) throw new Error(`no lifecycle succeeded during warm-up: ${warm.errorSamples.join(" | ")}\n${app.tail()}`);

  const steps: StepResult[] = [];
  const cpu: (CpuUsage & { offered: number; lifecycles: number })[] = [];
  const admin = postgres(database.url, { max: 1, onnotice: () => {} });
  const meter = new CpuMeter(app.pid, admin, decodeURIComponent(new URL(database.url).pathname.slice(1)));
  for (const rate of ladder) {
    const before = await meter.snapshot();
    const s = await runStep(target, { ...base, rate, seconds }, ids);
    cpu.push({ offered: rate, lifecycles: s.succeeded + s.failed, ...(await meter.since(before)) });
    steps.push(s);
    const why = exploded(s);
    log(
      `step ${rate}/s: achieved ${fmtRate(s.achieved)}/s, errors ${s.failed + s.dropped}/${s.scheduled}, p99 create/confirm/capture ${s.service.create.p99}/${s.service.confirm.p99}/${s.service.capture.p99} ms, avg in-flight ${s.avgInflight}${why ? ` -> stop: ${why}` : ""}`,
    );
    for (const e of s.errorSamples.slice(0, 3)) log(`  error: ${e}`);
    if (why) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await admin.end({ timeout: 5 });
  await app.stop();
  app = undefined;

  const sustained = sustainedStep(steps);
  const best = sustained?.step;
  const lifecyclesPerS = best?.achieved ?? 0;
  const p99Confirm = best?.service.confirm.p99 ?? 0;

  // ---- raw SQL ceiling, same statements, closed loop
  const rawConcurrency = num("BENCH_RAW_CONCURRENCY", Math.min(16, Math.max(8, Math.ceil(best?.avgInflight ?? 8))));
  log(`raw ceiling: ${rawConcurrency} clients, ${seconds}s ...`);
  const rawAdmin = postgres(database.url, { max: 1, onnotice: () => {} });
  const rawMeter = new CpuMeter(-1, rawAdmin, decodeURIComponent(new URL(database.url).pathname.slice(1)));
  let rawBefore: Awaited<ReturnType<CpuMeter["snapshot"]>> | undefined;
  let rawCpu: CpuUsage | undefined;
  const raw: RawResult = await benchRaw({
    databaseUrl: database.url,
    seconds,
    concurrency: rawConcurrency,
    hooks: {
      beforeMeasure: async () => {
        rawBefore = await rawMeter.snapshot();
      },
      afterMeasure: async () => {
        rawCpu = rawBefore && (await rawMeter.since(rawBefore));
      },
    },
  });
  await rawAdmin.end({ timeout: 5 });
  const ratio = raw.lifecyclesPerSecond > 0 ? lifecyclesPerS / raw.lifecyclesPerSecond : 0;

  // ---- ledger postings
  log(`ledger postings: 50 accounts, 8 posters, ${seconds}s ...`);
  const ledger: LedgerBenchResult = await benchLedger({ databaseUrl: database.url, seconds, accounts: 50, concurrency: 8 });

  // ---- checks
  const checks: Check[] = [await checkLedger(database.url)];
  const psp = await checkPsp(sim.url, pspKey, ids);
  checks.push(...psp.checks);
  if (steps.some((s) => s.replayMismatches > 0)) {
    checks.push({ name: "idempotent replays identical", ok: false, detail: `${steps.reduce((n, s) => n + s.replayMismatches, 0)} mismatches` });
  }
  const loadAtEnd = os.loadavg();

  // ---- output
  log("");
  log("== API steps (open loop; lifecycles/s) ==");
  log(stepsTable(steps));
  log("");
  log("== latency per operation, ms (svc = request->response; sched = completion since the lifecycle's scheduled start) ==");
  log(latencyTable(steps));
  log("");
  log("== CPU per lifecycle, ms (app = next-server process group, pg = backends of the bench database, driver = this process incl. PSP simulator) ==");
  log(cpuTable(cpu, steps));
  log("");
  log(`== raw SQL ceiling: ${fmtRate(raw.lifecyclesPerSecond)} lifecycles/s (${raw.lifecycles} in ${raw.seconds}s, ${raw.concurrency} clients, ${raw.statementsPerLifecycle} statements and ${raw.transactionsPerLifecycle} transactions per lifecycle) ==`);
  log(rawTable(raw));
  if (rawCpu) {
    const n = Math.max(1, raw.lifecycles);
    log(`raw CPU per lifecycle: pg ${(rawCpu.pgMs / n).toFixed(1)} ms, driver ${(rawCpu.selfMs / n).toFixed(1)} ms`);
  }
  log("");
  log(`== ledger: ledger_postings_per_s=${ledger.postingsPerSecond} (p50 ${ledger.p50Ms} ms, p99 ${ledger.p99Ms} ms); pgledger reference ~${PGLEDGER_REFERENCE_PER_S}/s on this box, ratio ${(ledger.postingsPerSecond / PGLEDGER_REFERENCE_PER_S).toFixed(2)} ==`);
  log("");
  log("== checks ==");
  log(checksTable(checks));
  log("");
  log(
    best
      ? `sustained step (${sustained?.metSlo ? `p99 confirm < ${SLO_P99_CONFIRM_MS} ms objective met` : `objective p99 confirm < ${SLO_P99_CONFIRM_MS} ms NOT met at any step; best step under 1 s`}): offered ${best.offered}/s, achieved ${fmtRate(best.achieved)}/s, p99 confirm ${best.service.confirm.p99} ms; API/raw ratio ${ratio.toFixed(2)}`
      : "no step met the sustained criteria (error rate < 1% and p99 confirm < 1 s)",
  );
  const keptUp = steps.filter((s) => s.errorRate < 0.01 && s.achieved >= 0.9 * s.offered).sort((a, b) => b.achieved - a.achieved)[0];
  if (keptUp) log(`saturation: highest step that kept up (achieved >= 90% of offered, errors < 1%): offered ${keptUp.offered}/s, achieved ${fmtRate(keptUp.achieved)}/s, p99 confirm ${keptUp.service.confirm.p99} ms`);
  log(`loadavg at start ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}, at end ${loadAtEnd.map((l) => l.toFixed(2)).join(" ")} (other processes on this box skew results)`);

  const results = {
    startedAt: stamp,
    config: { seconds, ladder, inflightCap, poolMax, refundShare: 0.1, replayShare: 0.05, cpus: os.cpus().length, node: process.version, ownedDatabase: database.owned },
    loadavg: { start: loadAtStart, end: loadAtEnd },
    warmup: warm,
    steps,
    cpu,
    keptUp: keptUp ? { offered: keptUp.offered, achieved: keptUp.achieved, p99ConfirmMs: keptUp.service.confirm.p99 } : null,
    sustained: best ? { offered: best.offered, lifecyclesPerS, p99ConfirmMs: p99Confirm, avgInflight: best.avgInflight } : null,
    raw: { ...raw, cpu: rawCpu },
    ratio: round(ratio, 2),
    ledger: { ...ledger, referencePerS: PGLEDGER_REFERENCE_PER_S, ratio: round(ledger.postingsPerSecond / PGLEDGER_REFERENCE_PER_S, 2) },
    psp: psp.stats,
    checks,
    idCounts: { created: ids.created.size, confirmed: ids.confirmed.size, captured: ids.captured.size, refunded: ids.refunded.size },
  };
  const dir = path.join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stamp}.json`);
  writeFileSync(file, JSON.stringify(results, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
  log(`results: ${path.relative(ROOT, file)}`);

  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) log(`FAILED checks: ${failed.map((c) => c.name).join("; ")}`);
  if (!best) log("FAILED: no sustained step");
  log(`lifecycles_per_s=${fmtRate(lifecyclesPerS)} raw_ceiling_per_s=${fmtRate(raw.lifecyclesPerSecond)} ratio=${ratio.toFixed(2)} p99_confirm_ms=${fmtRate(p99Confirm)}`);
  return failed.length > 0 || !best ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
