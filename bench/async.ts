/**
 * The asynchronous plane in the bench: drain (the worker catches up after the load), per-step
 * figures (merchant webhook deliveries and their lag, inbound PSP webhooks processed) and the
 * checks (every event delivered once per endpoint after dedupe by event id, nothing in flight).
 */
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import type { StatsJson } from "../server/psp/simulator/stats";
import type { Check } from "./checks";
import type { RunningReceiver } from "./receiver";
import { summarize, type LatencySummary } from "./stats";

export interface InFlight {
  intents: number;
  attempts: number;
  refunds: number;
  pspEvents: number;
  deliveries: number;
  /** Events of the merchant not yet received (after dedupe). */
  undelivered: number;
  /** Simulator webhooks still queued or being retried. */
  simPending: number;
}

const open = (url: string) => postgres(url, { max: 1, onnotice: () => {} });

async function inFlight(sql: postgres.Sql, merchantId: string, receiver: RunningReceiver, simUrl: string, pspKey: string): Promise<InFlight> {
  const [r] = await sql<{ intents: number; attempts: number; refunds: number; psp_events: number; deliveries: number }[]>`
    select (select count(*) from payment_intents where status in ('authorizing', 'capturing', 'cancelling'))::int as intents,
           (select count(*) from payment_attempts where status = 'pending')::int as attempts,
           (select count(*) from refunds where status = 'pending')::int as refunds,
           (select count(*) from psp_events where processed_at is null)::int as psp_events,
           (select count(*) from webhook_deliveries where status = 'pending')::int as deliveries`;
  const ids = await sql<{ id: string }[]>`select id from events where merchant_id = ${merchantId}`;
  const undelivered = ids.filter((e) => !receiver.arrivals.has(e.id)).length;
  const stats = (await (await fetch(`${simUrl}/_sim/stats?apiKey=${encodeURIComponent(pspKey)}`)).json()) as StatsJson;
  return {
    intents: r!.intents,
    attempts: r!.attempts,
    refunds: r!.refunds,
    pspEvents: r!.psp_events,
    deliveries: r!.deliveries,
    undelivered,
    simPending: stats.webhooks.pending,
  };
}

const total = (f: InFlight) => Object.values(f).reduce((a, b) => a + b, 0);

/** Waits until the worker has applied every inbound webhook and delivered every event, or the timeout. */
export async function waitForDrain(
  databaseUrl: string,
  target: { merchantId: string; receiver: RunningReceiver; simUrl: string; pspKey: string },
  timeoutMs: number,
): Promise<{ drained: boolean; seconds: number; left: InFlight }> {
  const sql = open(databaseUrl);
  const started = Date.now();
  try {
    for (;;) {
      const left = await inFlight(sql, target.merchantId, target.receiver, target.simUrl, target.pspKey);
      const seconds = (Date.now() - started) / 1000;
      if (total(left) === 0) return { drained: true, seconds, left };
      if (Date.now() - started > timeoutMs) return { drained: false, seconds, left };
      await sleep(250);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface Window {
  offered: number;
  startMs: number;
  endMs: number;
  /** Receiver deliveries (2xx, duplicates included) during the window. */
  deliveries: number;
  /** The simulator's webhook attempts to the app, and the webhooks it gave up on, during the window. */
  pspAttempts: number;
  pspFailed: number;
}

export interface WindowStats {
  offered: number;
  seconds: number;
  /** Merchant events created in the window. */
  events: number;
  deliveriesPerS: number;
  /** events.created_at (transaction start of the state change) -> first arrival at the receiver, ms. */
  lag: LatencySummary;
  /** Inbound PSP webhooks stored / applied by the worker during the window. */
  pspReceived: number;
  pspProcessed: number;
  pspProcessedPerS: number;
  /** Stored -> applied, ms, of the PSP webhooks received in the window. */
  pspApplyLag: LatencySummary;
  pspAttempts: number;
  pspFailed: number;
}

export async function windowStats(databaseUrl: string, merchantId: string, receiver: RunningReceiver, windows: Window[]): Promise<WindowStats[]> {
  const sql = open(databaseUrl);
  try {
    const evts = await sql<{ id: string; at: number }[]>`
      select id, (extract(epoch from created_at) * 1000)::float8 as at from events where merchant_id = ${merchantId}`;
    const psp = await sql<{ rcv: number; done: number | null }[]>`
      select (extract(epoch from received_at) * 1000)::float8 as rcv, (extract(epoch from processed_at) * 1000)::float8 as done from psp_events`;
    return windows.map((w) => {
      const inW = (t: number) => t >= w.startMs && t < w.endMs;
      const seconds = (w.endMs - w.startMs) / 1000;
      const lags: number[] = [];
      let events = 0;
      for (const e of evts) {
        if (!inW(e.at)) continue;
        events++;
        const a = receiver.arrivals.get(e.id);
        if (a) lags.push(Math.max(0, a.firstAt - e.at));
      }
      const received = psp.filter((p) => inW(p.rcv));
      const processed = psp.filter((p) => p.done !== null && inW(p.done)).length;
      return {
        offered: w.offered,
        seconds,
        events,
        deliveriesPerS: w.deliveries / seconds,
        lag: summarize(lags),
        pspReceived: received.length,
        pspProcessed: processed,
        pspProcessedPerS: processed / seconds,
        pspApplyLag: summarize(received.filter((p) => p.done !== null).map((p) => p.done! - p.rcv)),
        pspAttempts: w.pspAttempts,
        pspFailed: w.pspFailed,
      };
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Every event delivered once per endpoint after dedupe by event id, none foreign, every delivery row succeeded; nothing in flight. */
export async function asyncChecks(
  databaseUrl: string,
  target: { merchantId: string; endpointId: string; receiver: RunningReceiver },
  drain: { drained: boolean; seconds: number; left: InFlight },
): Promise<{ checks: Check[]; duplicates: number; events: number; deliveries: number }> {
  const sql = open(databaseUrl);
  try {
    const ids = new Set((await sql<{ id: string }[]>`select id from events where merchant_id = ${target.merchantId}`).map((r) => r.id));
    const rows = await sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from webhook_deliveries where endpoint_id = ${target.endpointId} group by status`;
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    const { arrivals } = target.receiver;
    const missing = [...ids].filter((id) => !arrivals.has(id));
    const foreign = [...arrivals.keys()].filter((id) => !ids.has(id));
    let duplicates = 0;
    for (const a of arrivals.values()) duplicates += a.count - 1;
    const deliveryRows = rows.reduce((n, r) => n + r.n, 0);
    const checks: Check[] = [
      {
        name: "every event delivered once per endpoint (dedupe by event id)",
        ok: missing.length === 0 && foreign.length === 0 && ids.size > 0 && target.receiver.rejected() === 0,
        detail: `${ids.size} events, ${arrivals.size} distinct received, ${missing.length} missing${missing.length ? ` (e.g. ${missing.slice(0, 3).join(",")})` : ""}, ${foreign.length} unknown, ${duplicates} duplicate deliveries, ${target.receiver.rejected()} bad signatures`,
      },
      {
        name: "one delivery row per event and endpoint, all succeeded",
        ok: deliveryRows === ids.size && (byStatus.succeeded ?? 0) === ids.size,
        detail: `${deliveryRows} rows: ${JSON.stringify(byStatus)}`,
      },
      {
        name: "nothing left in flight",
        ok: drain.drained,
        detail: `${drain.drained ? "drained" : "NOT drained"} ${drain.seconds.toFixed(1)} s after the load: ${JSON.stringify(drain.left)}`,
      },
    ];
    return { checks, duplicates, events: ids.size, deliveries: target.receiver.deliveries() };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
