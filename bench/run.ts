/**
 * `npm run bench`: end-to-end throughput of the merchant API against the product as `npm start`
 * runs it (bench/stack.ts: `next start`, the job worker, the simulator posting its webhooks to the
 * app, one merchant endpoint for every event with a verifying receiver here), open-loop stepped
 * load; then merchant webhook deliveries/s and lag, inbound PSP webhooks applied, CPU per lifecycle
 * per process, the raw SQL ceiling, ledger postings against a running-balance baseline,
 * reconciliation of 100,000 lines, and the invariant checks. The LAST line of output is:
 *
 *   lifecycles_per_s=N raw_ceiling_per_s=M ratio=R p99_confirm_ms=X
 *
 * Env: DATABASE_URL (default: a fresh payrail_bench_<ts>, dropped at the end), BENCH_SECONDS (10),
 * BENCH_RATES (comma list of lifecycles/s), BENCH_INFLIGHT_CAP (512), BENCH_RAW_CONCURRENCY,
 * BENCH_POOL_MAX and BENCH_LOG_LEVEL (DB_POOL_MAX / LOG_LEVEL of the app and worker; unset = the
 * product's defaults, as under `npm start`), BENCH_DRAIN_SECONDS (120: how long the worker may take
 * to catch up after the load), BENCH_RECON_LINES (100000), BENCH_SKIP_RECON=1.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import postgres from "postgres";
import path from "node:path";
import { ROOT, ensureBuild, killAllAppsSync } from "./app";
import { asyncChecks, waitForDrain, windowStats, type Window } from "./async";
import { checkLedger, checkPsp, type Check } from "./checks";
import { CpuMeter, type CpuUsage } from "./cpu";
import { setupDatabase, type BenchDatabase } from "./db";
import { benchLedger, benchRunningBalance } from "./ledger";
import { newLoadLedger, runStep, type LoadOptions, type StepResult } from "./load";
import { benchRaw, type RawResult } from "./raw";
import { runReconStep, type ReconResult } from "./recon-step";
import { checksTable, cpuTable, latencyTable, rawTable, stepsTable, webhooksTable } from "./report";
import { killWorkerSync, startProductStack, type ProductStack } from "./stack";
import { fmtRate, round } from "./stats";
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
const poolMax = process.env.BENCH_POOL_MAX ? num("BENCH_POOL_MAX", 10) : undefined;
const logLevel = process.env.BENCH_LOG_LEVEL || undefined;
const drainSeconds = num("BENCH_DRAIN_SECONDS", 120);
const reconLines = num("BENCH_RECON_LINES", 100_000);
const skipRecon = process.env.BENCH_SKIP_RECON === "1";
const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);

let stack: ProductStack | undefined;
let database: BenchDatabase | undefined;

async function cleanup(): Promise<void> {
  await stack?.stop().catch(() => {});
  stack = undefined;
  await database?.cleanup().catch((e) => log(`warning: could not drop the bench database: ${(e as Error).message}`));
  database = undefined;
}

const killAllSync = () => {
  killAllAppsSync();
  killWorkerSync();
};
process.on("exit", killAllSync);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    killAllSync();
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
  log(`payrail bench: ${seconds}s per step, ladder ${ladder.join(",")}/s, in-flight cap ${inflightCap}, DB_POOL_MAX=${poolMax ?? "product default"}, LOG_LEVEL=${logLevel ?? "product default"}, ${os.cpus().length} cpus, loadavg ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}`);

  // ---- setup: the product as `npm start` runs it
  database = await setupDatabase(stamp);
  log(`database: ${database.url.replace(/\/\/[^@]*@/, "//")}${database.owned ? " (fresh, dropped at the end)" : ""}`);
  ensureBuild(log);
  const resultsDir = path.join(ROOT, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const appLog = path.join(resultsDir, `${stamp}.app.log`);
  const workerLog = path.join(resultsDir, `${stamp}.worker.log`);
  stack = await startProductStack({ databaseUrl: database.url, stamp, appLog, workerLog, poolMax, logLevel });
  const { app, sim, receiver } = stack;
  log(`psp simulator: ${sim.url} (in-process, webhooks -> ${app.url}/api/webhooks/stripe, signed with the launcher's secret)`);
  log(`job worker: pid ${stack.worker.pid} (server/jobs/main.ts via the launcher's spawnWorker; log ${path.relative(ROOT, workerLog)})`);
  log(`app: ${app.url} (next start, pid/pgid ${app.pid}; log ${path.relative(ROOT, appLog)})`);
  log(`merchant webhook endpoint ${stack.endpointId} for '*' -> ${receiver.url} (verified with stripe.webhooks.constructEvent)`);
  const target = { url: app.url, secretKey: stack.merchant.secretKey };
  const pspKey = stack.pspKey;
  const simWebhooks = async () =>
    ((await (await fetch(`${sim.url}/_sim/stats?apiKey=${encodeURIComponent(pspKey)}`)).json()) as { webhooks: Record<string, number> }).webhooks;

  // ---- API load: warm-up, then stepped open-loop rates
  const ids = newLoadLedger();
  const base: Omit<LoadOptions, "rate" | "seconds"> = { inflightCap, refundShare: 0.1, replayShare: 0.05, requestTimeoutMs: 30_000 };
  const warm = await runStep(target, { ...base, rate: 20, seconds: 3 }, ids);
  const warmHooks = await simWebhooks();
  log(`warm-up: ${warm.succeeded} lifecycles ok, ${warm.failed} failed${warm.errorSamples.length ? ` (${warm.errorSamples[0]})` : ""}; simulator webhooks so far ${JSON.stringify(warmHooks)}`);
  if (warm.succeeded === 0) throw new Error(`no lifecycle succeeded during warm-up: ${warm.errorSamples.join(" | ")}\n${app.tail()}`);

  const steps: StepResult[] = [];
  const cpu: (CpuUsage & { offered: number; lifecycles: number })[] = [];
  const admin = postgres(database.url, { max: 1, onnotice: () => {} });
  const meter = new CpuMeter(app.pid, admin, decodeURIComponent(new URL(database.url).pathname.slice(1)), stack.worker.pid);
  const windows: Window[] = [];
  for (const rate of ladder) {
    const before = await meter.snapshot();
    const [startMs, delivered, hooks] = [Date.now(), receiver.deliveries(), await simWebhooks()];
    const s = await runStep(target, { ...base, rate, seconds }, ids);
    const hooksAfter = await simWebhooks();
    windows.push({
      offered: rate,
      startMs,
      endMs: Date.now(),
      deliveries: receiver.deliveries() - delivered,
      pspAttempts: (hooksAfter.attempts ?? 0) - (hooks.attempts ?? 0),
      pspFailed: (hooksAfter.failed ?? 0) - (hooks.failed ?? 0),
    });
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

  // ---- the worker catches up: inbound webhooks applied, every event delivered
  const asyncTarget = { merchantId: stack.merchant.id, endpointId: stack.endpointId, receiver, simUrl: sim.url, pspKey: stack.pspKey };
  const drain = await waitForDrain(database.url, asyncTarget, drainSeconds * 1000);
  log(`drain: ${drain.drained ? "nothing in flight" : "STILL in flight"} ${drain.seconds.toFixed(1)} s after the load${drain.drained ? "" : `: ${JSON.stringify(drain.left)}`}`);
  const webhooks = await windowStats(database.url, stack.merchant.id, receiver, windows);
  const delivery = await asyncChecks(database.url, asyncTarget, drain);
  const simStats = { webhooks: await simWebhooks() };
  await stack.stopProcesses();

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

  // ---- ledger postings, and the running-balance baseline in the same run
  log(`ledger postings: 50 accounts, 8 posters, ${seconds}s each for the ledger and the running-balance baseline ...`);
  const ledger = await benchLedger({ databaseUrl: database.url, seconds, accounts: 50, concurrency: 8 });
  const baseline = await benchRunningBalance({ databaseUrl: database.url, seconds, accounts: 50, concurrency: 8 });
  const ledgerRatio = ledger.postingsPerSecond / Math.max(1, baseline.postingsPerSecond);

  // ---- reconciliation at scale (own process, own database)
  let recon: ReconResult | undefined;
  if (skipRecon) log("reconciliation: skipped (BENCH_SKIP_RECON=1)");
  else {
    log(`reconciliation: ${reconLines} lines (bench/reconcile.ts in a child process) ...`);
    recon = await runReconStep(reconLines, log);
  }

  // ---- checks
  const checks: Check[] = [await checkLedger(database.url)];
  const psp = await checkPsp(sim.url, stack.pspKey, ids);
  checks.push(...psp.checks, ...delivery.checks);
  checks.push({
    name: "every PSP webhook accepted by the app (the simulator gave up on none)",
    ok: (simStats.webhooks.failed ?? 0) === 0 && (simStats.webhooks.dropped ?? 0) === 0,
    detail: `simulator webhooks ${JSON.stringify(simStats.webhooks)} (5 attempts over ~1.5 s, 5 s timeout each)`,
  });
  if (recon) checks.push({ name: "reconciliation matched every line", ok: recon.matched === recon.lines && recon.exceptions === 0, detail: recon.line });
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
  log("== CPU per lifecycle, ms (app = next-server process group, worker = job worker process, pg = backends of the bench database, driver = this process: load driver + PSP simulator + webhook receiver; xacts/lc = transactions of all clients per lifecycle, pg_stat_database) ==");
  log(cpuTable(cpu, steps));
  log("");
  log("== webhooks per step (deliveries/s = merchant deliveries received; lag = events.created_at -> first arrival at the receiver, ms; psp_in = inbound PSP webhooks stored; apply = stored -> applied by the worker, ms; psp_tries / psp_lost = the simulator's POSTs to the app / webhooks it gave up on) ==");
  log(webhooksTable(webhooks));
  log(`totals: ${delivery.events} merchant events, ${delivery.deliveries} deliveries (${delivery.duplicates} duplicates), simulator webhooks ${JSON.stringify(simStats.webhooks)}`);
  log("");
  log(`== raw SQL ceiling: ${fmtRate(raw.lifecyclesPerSecond)} lifecycles/s (${raw.lifecycles} in ${raw.seconds}s, ${raw.concurrency} clients, ${raw.statementsPerLifecycle} statements and ${raw.transactionsPerLifecycle} transactions per lifecycle) ==`);
  log(rawTable(raw));
  if (rawCpu) {
    const n = Math.max(1, raw.lifecycles);
    log(`raw CPU per lifecycle: pg ${(rawCpu.pgMs / n).toFixed(1)} ms, driver ${(rawCpu.selfMs / n).toFixed(1)} ms`);
  }
  log("");
  log(`== ledger: ledger_postings_per_s=${ledger.postingsPerSecond} (p50 ${ledger.p50Ms} ms, p99 ${ledger.p99Ms} ms); running_balance_baseline_per_s=${baseline.postingsPerSecond} (p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms, ${baseline.deadlockRetries} deadlock retries); ratio ${ledgerRatio.toFixed(2)} (target >= 2) ==`);
  if (recon) log(`== reconciliation: ${recon.lines} lines in ${recon.seconds} s (${recon.linesPerS} lines/s), peak RSS ${recon.peakRssMb} MB, peak heap ${recon.peakHeapMb} MB, matched ${recon.matched}, exceptions ${recon.exceptions} ==`);
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
  // Webhooks at the sustained step, else at the last step run.
  const atBest = (best ? webhooks.find((w) => w.offered === best.offered) : undefined) ?? webhooks[webhooks.length - 1];
  if (atBest) {
    log(
      `webhooks at ${best ? "the sustained" : "the last"} step (${atBest.offered}/s): webhook_deliveries_per_s=${fmtRate(atBest.deliveriesPerS)} p99_delivery_lag_ms=${fmtRate(atBest.lag.p99)} psp_webhooks_applied_per_s=${fmtRate(atBest.pspProcessedPerS)} psp_webhooks_lost=${atBest.pspFailed}`,
    );
  }
  if (keptUp) log(`saturation: highest step that kept up (achieved >= 90% of offered, errors < 1%): offered ${keptUp.offered}/s, achieved ${fmtRate(keptUp.achieved)}/s, p99 confirm ${keptUp.service.confirm.p99} ms`);
  log(`loadavg at start ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}, at end ${loadAtEnd.map((l) => l.toFixed(2)).join(" ")} (other processes on this box skew results)`);

  const results = {
    startedAt: stamp,
    config: { seconds, ladder, inflightCap, poolMax: poolMax ?? "default", logLevel: logLevel ?? "default", refundShare: 0.1, replayShare: 0.05, cpus: os.cpus().length, node: process.version, ownedDatabase: database.owned },
    loadavg: { start: loadAtStart, end: loadAtEnd },
    warmup: warm,
    steps,
    cpu,
    keptUp: keptUp ? { offered: keptUp.offered, achieved: keptUp.achieved, p99ConfirmMs: keptUp.service.confirm.p99 } : null,
    sustained: best ? { offered: best.offered, lifecyclesPerS, p99ConfirmMs: p99Confirm, avgInflight: best.avgInflight } : null,
    raw: { ...raw, cpu: rawCpu },
    ratio: round(ratio, 2),
    ledger: { ...ledger, runningBalanceBaseline: baseline, ratio: round(ledgerRatio, 2) },
    webhooks,
    drain,
    deliveries: { events: delivery.events, received: delivery.deliveries, duplicates: delivery.duplicates, simulator: simStats.webhooks },
    reconciliation: recon ?? null,
    psp: psp.stats,
    checks,
    idCounts: { created: ids.created.size, confirmed: ids.confirmed.size, captured: ids.captured.size, refunded: ids.refunded.size },
  };
  const file = path.join(resultsDir, `${stamp}.json`);
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
