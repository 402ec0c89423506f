/**
 * Open-loop load driver: payment lifecycles (create -> confirm -> capture, 10% + partial refund)
 * start at their scheduled times whatever the others are doing, up to an in-flight cap. 5% of
 * requests are sent again with the same Idempotency-Key and must replay byte for byte.
 */
import { randomUUID } from "node:crypto";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { round, summarize, type LatencySummary } from "./stats";

export const OPS = ["create", "confirm", "capture", "refund", "replay"] as const;
export type Op = (typeof OPS)[number];

export interface LoadTarget {
  url: string;
  secretKey: string;
}

export interface LoadOptions {
  /** Lifecycles started per second. */
  rate: number;
  seconds: number;
  /** Lifecycles in flight at most; a lifecycle due while at the cap is dropped (counted). */
  inflightCap: number;
  refundShare: number;
  replayShare: number;
  requestTimeoutMs: number;
}

export interface StepResult {
  offered: number;
  seconds: number;
  /** Lifecycles due in the window. */
  scheduled: number;
  /** Due but not started because of the in-flight cap. */
  dropped: number;
  succeeded: number;
  failed: number;
  /** Successful lifecycles per second of the step (window plus drain). */
  achieved: number;
  /** failed + dropped over scheduled. */
  errorRate: number;
  requests: number;
  requestErrors: number;
  replays: number;
  replayMismatches: number;
  elapsedS: number;
  avgInflight: number;
  maxInflight: number;
  /** Service latency per operation (request sent -> body read), ms. */
  service: Record<Op, LatencySummary>;
  /** Completion of each operation measured from the lifecycle's scheduled start, ms. */
  fromSchedule: Record<"create" | "confirm" | "capture" | "lifecycle", LatencySummary>;
  /** Actual start minus scheduled start, ms (driver lag). */
  startLag: LatencySummary;
  /** Driver event-loop delay p99 during the step, ms (the client shares its loop with the PSP simulator). */
  clientLoopDelayP99Ms: number;
  errorSamples: string[];
}

/** Ids the checks need: intents whose confirm succeeded, all created intents. */
export interface LoadLedger {
  created: Set<string>;
  confirmed: Set<string>;
  captured: Set<string>;
  refunded: Set<string>;
}

export function newLoadLedger(): LoadLedger {
  return { created: new Set(), confirmed: new Set(), captured: new Set(), refunded: new Set() };
}

class RequestError extends Error {}

interface Recorder {
  service: Record<Op, number[]>;
  requests: number;
  requestErrors: number;
  replays: number;
  replayMismatches: number;
  errors: string[];
}

const randInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

async function post(
  target: LoadTarget,
  path: string,
  body: string,
  key: string,
  timeoutMs: number,
): Promise<{ status: number; text: string; replayed: boolean }> {
  const res = await fetch(`${target.url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${target.secretKey}`,
      "content-type": "application/x-www-form-urlencoded",
      "idempotency-key": key,
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, text, replayed: res.headers.get("idempotent-replayed") === "true" };
}

/** One API call with its optional idempotent replay; returns the parsed body of a 200. */
async function call(
  target: LoadTarget,
  rec: Recorder,
  opts: LoadOptions,
  op: Exclude<Op, "replay">,
  path: string,
  body: string,
): Promise<Record<string, unknown>> {
  const key = `bench_${op}_${randomUUID()}`;
  rec.requests += 1;
  const t0 = performance.now();
  let first: Awaited<ReturnType<typeof post>>;
  try {
    first = await post(target, path, body, key, opts.requestTimeoutMs);
  } catch (e) {
    rec.requestErrors += 1;
    throw new RequestError(`${op}: ${(e as Error).name}: ${(e as Error).message}`);
  }
  rec.service[op].push(performance.now() - t0);
  if (first.status !== 200 || first.replayed) {
    rec.requestErrors += 1;
    throw new RequestError(`${op}: HTTP ${first.status}${first.replayed ? " (unexpected replay)" : ""} ${first.text.slice(0, 200)}`);
  }
  if (Math.random() < opts.replayShare) {
    rec.requests += 1;
    rec.replays += 1;
    const t1 = performance.now();
    try {
      const again = await post(target, path, body, key, opts.requestTimeoutMs);
      rec.service.replay.push(performance.now() - t1);
      if (again.status !== first.status || !again.replayed || again.text !== first.text) {
        rec.replayMismatches += 1;
        rec.requestErrors += 1;
        throw new RequestError(`${op} replay: HTTP ${again.status} replayed=${again.replayed} sameBody=${again.text === first.text}`);
      }
    } catch (e) {
      if (e instanceof RequestError) throw e;
      rec.requestErrors += 1;
      throw new RequestError(`${op} replay: ${(e as Error).message}`);
    }
  }
  return JSON.parse(first.text) as Record<string, unknown>;
}

function expectStatus(op: string, obj: Record<string, unknown>, status: string): void {
  if (obj.status !== status) throw new RequestError(`${op}: status ${String(obj.status)}, expected ${status}`);
}

export async function runStep(target: LoadTarget, opts: LoadOptions, ids: LoadLedger): Promise<StepResult> {
  const rec: Recorder = {
    service: { create: [], confirm: [], capture: [], refund: [], replay: [] },
    requests: 0,
    requestErrors: 0,
    replays: 0,
    replayMismatches: 0,
    errors: [],
  };
  const fromSchedule = { create: [] as number[], confirm: [] as number[], capture: [] as number[], lifecycle: [] as number[] };
  const startLag: number[] = [];
  let inflight = 0;
  let maxInflight = 0;
  let succeeded = 0;
  let failed = 0;
  let dropped = 0;
  let lastDone = 0;

  const lifecycle = async (scheduledAt: number): Promise<void> => {
    startLag.push(performance.now() - scheduledAt);
    try {
      const amount = randInt(100, 100_000);
      const pi = await call(target, rec, opts, "create", "/v1/payment_intents", `amount=${amount}&currency=usd&capture_method=manual&payment_method=pm_card_visa`);
      fromSchedule.create.push(performance.now() - scheduledAt);
      expectStatus("create", pi, "requires_confirmation");
      const id = String(pi.id);
      ids.created.add(id);
      const confirmed = await call(target, rec, opts, "confirm", `/v1/payment_intents/${id}/confirm`, "");
      fromSchedule.confirm.push(performance.now() - scheduledAt);
      expectStatus("confirm", confirmed, "requires_capture");
      ids.confirmed.add(id);
      const captured = await call(target, rec, opts, "capture", `/v1/payment_intents/${id}/capture`, "");
      fromSchedule.capture.push(performance.now() - scheduledAt);
      expectStatus("capture", captured, "succeeded");
      ids.captured.add(id);
      if (Math.random() < opts.refundShare) {
        const refund = await call(target, rec, opts, "refund", "/v1/refunds", `payment_intent=${id}&amount=${randInt(1, amount - 1)}`);
        expectStatus("refund", refund, "succeeded");
        ids.refunded.add(id);
      }
      succeeded += 1;
      fromSchedule.lifecycle.push(performance.now() - scheduledAt);
    } catch (e) {
      failed += 1;
      if (rec.errors.length < 8) rec.errors.push((e as Error).message);
    } finally {
      inflight -= 1;
      lastDone = performance.now();
    }
  };

  const scheduled = Math.max(1, Math.round(opts.rate * opts.seconds));
  const interval = 1000 / opts.rate;
  const pending: Promise<void>[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let inflightSamples = 0;
  let inflightSum = 0;
  const t0 = performance.now();
  const sampler = setInterval(() => {
    inflightSum += inflight;
    inflightSamples += 1;
  }, 10);
  let i = 0;
  while (i < scheduled) {
    const now = performance.now();
    while (i < scheduled && t0 + i * interval <= now) {
      const at = t0 + i * interval;
      i += 1;
      if (inflight >= opts.inflightCap) {
        dropped += 1;
        continue;
      }
      inflight += 1;
      if (inflight > maxInflight) maxInflight = inflight;
      pending.push(lifecycle(at));
    }
    if (i < scheduled) await sleep(Math.max(0, Math.min(5, t0 + i * interval - performance.now())));
  }
  clearInterval(sampler);
  await Promise.all(pending);
  loop.disable();
  const elapsedS = Math.max(opts.seconds, ((lastDone || performance.now()) - t0) / 1000);

  const service = Object.fromEntries(OPS.map((op) => [op, summarize(rec.service[op])])) as Record<Op, LatencySummary>;
  return {
    offered: opts.rate,
    seconds: opts.seconds,
    scheduled,
    dropped,
    succeeded,
    failed,
    achieved: round(succeeded / elapsedS, 1),
    errorRate: round((failed + dropped) / scheduled, 4),
    requests: rec.requests,
    requestErrors: rec.requestErrors,
    replays: rec.replays,
    replayMismatches: rec.replayMismatches,
    elapsedS: round(elapsedS, 2),
    avgInflight: round(inflightSamples ? inflightSum / inflightSamples : 0, 1),
    maxInflight,
    service,
    fromSchedule: {
      create: summarize(fromSchedule.create),
      confirm: summarize(fromSchedule.confirm),
      capture: summarize(fromSchedule.capture),
      lifecycle: summarize(fromSchedule.lifecycle),
    },
    startLag: summarize(startLag),
    clientLoopDelayP99Ms: round(loop.percentile(99) / 1e6, 1),
    errorSamples: rec.errors,
  };
}
