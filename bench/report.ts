/** Human-readable tables for the bench results. */
import type { WindowStats } from "./async";
import type { Check } from "./checks";
import type { CpuUsage } from "./cpu";
import type { StepResult } from "./load";
import type { RawResult } from "./raw";
import { table } from "./stats";

const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export function stepsTable(steps: StepResult[]): string {
  return table(
    ["offered/s", "achieved/s", "ok", "failed", "dropped", "err%", "req", "replays", "avg_inflight", "max_inflight", "lag_p99", "loop_p99"],
    steps.map((s) => [
      s.offered,
      f(s.achieved),
      s.succeeded,
      s.failed,
      s.dropped,
      (s.errorRate * 100).toFixed(2),
      s.requests,
      `${s.replays}/${s.replayMismatches}bad`,
      f(s.avgInflight),
      s.maxInflight,
      f(s.startLag.p99),
      f(s.clientLoopDelayP99Ms),
    ]),
  );
}

export function latencyTable(steps: StepResult[]): string {
  const rows: (string | number)[][] = [];
  for (const s of steps) {
    for (const op of ["create", "confirm", "capture", "refund", "replay"] as const) {
      const l = s.service[op];
      if (l.count === 0) continue;
      const sched = op === "create" || op === "confirm" || op === "capture" ? s.fromSchedule[op] : undefined;
      rows.push([s.offered, op, l.count, f(l.p50), f(l.p95), f(l.p99), f(l.max), sched ? f(sched.p50) : "", sched ? f(sched.p99) : ""]);
    }
    const lc = s.fromSchedule.lifecycle;
    rows.push([s.offered, "lifecycle", lc.count, f(lc.p50), f(lc.p95), f(lc.p99), f(lc.max), "", ""]);
  }
  return table(["offered/s", "op", "n", "svc_p50", "svc_p95", "svc_p99", "svc_max", "sched_p50", "sched_p99"], rows);
}

export function rawTable(r: RawResult): string {
  return table(
    ["raw op", "n", "p50", "p95", "p99"],
    (["create", "confirm", "capture", "refund"] as const).map((op) => [op, r.ops[op].count, f(r.ops[op].p50), f(r.ops[op].p95), f(r.ops[op].p99)]),
  );
}

export function checksTable(checks: Check[]): string {
  return table(["check", "result", "detail"], checks.map((c) => [c.name, c.ok ? "PASS" : "FAIL", c.detail]));
}

export function cpuTable(cpu: (CpuUsage & { offered: number; lifecycles: number })[], steps: StepResult[]): string {
  return table(
    ["offered/s", "lifecycles", "app_ms", "worker_ms", "pg_ms", "driver_ms", "total_ms", "cores_busy", "xacts/lc"],
    cpu.map((c, i) => {
      const n = Math.max(1, c.lifecycles);
      const total = c.appMs + c.workerMs + c.pgMs + c.selfMs;
      return [
        c.offered,
        c.lifecycles,
        f(c.appMs / n),
        f(c.workerMs / n),
        f(c.pgMs / n),
        f(c.selfMs / n),
        f(total / n),
        (total / 1000 / (steps[i]?.elapsedS ?? 1)).toFixed(2),
        (c.xacts / n).toFixed(2),
      ];
    }),
  );
}

export function webhooksTable(w: WindowStats[]): string {
  return table(
    ["offered/s", "events", "deliveries/s", "lag_p50", "lag_p99", "lag_max", "undelivered", "psp_in", "psp_applied/s", "apply_p99", "psp_tries", "psp_lost"],
    w.map((s) => [
      s.offered,
      s.events,
      f(s.deliveriesPerS),
      f(s.lag.p50),
      f(s.lag.p99),
      f(s.lag.max),
      s.events - s.lag.count,
      s.pspReceived,
      f(s.pspProcessedPerS),
      f(s.pspApplyLag.p99),
      s.pspAttempts,
      s.pspFailed,
    ]),
  );
}
