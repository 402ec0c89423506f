/** `/_sim/stats` rendering: per key or summed over all keys. */
import type { KeyStats, Registry } from "./state";

export interface StatsJson {
  apiKeys: number;
  requests: number;
  authorizations: number;
  declines: number;
  captures: number;
  refunds: number;
  cancellations: number;
  disputes: number;
  evidenceSubmissions: number;
  threeDsChallenges: number;
  idempotentReplays: number;
  paymentIntents: number;
  charges: number;
  balanceTransactions: number;
  events: number;
  /** metadata.payrail_payment_intent -> number of distinct successful charges carrying it. */
  chargesByMetadata: Record<string, number>;
  /** The entries of chargesByMetadata with a count above 1. */
  duplicateCharges: Record<string, number>;
  duplicateChargeCount: number;
  faults: KeyStats["faults"];
  webhooks: KeyStats["webhooks"];
}

export function statsJson(reg: Registry, apiKey?: string): StatsJson {
  const stores = apiKey === undefined ? [...reg.stores.values()] : [reg.stores.get(apiKey)].filter((s) => s !== undefined);
  const out: StatsJson = {
    apiKeys: stores.length,
    requests: 0,
    authorizations: 0,
    declines: 0,
    captures: 0,
    refunds: 0,
    cancellations: 0,
    disputes: 0,
    evidenceSubmissions: 0,
    threeDsChallenges: 0,
    idempotentReplays: 0,
    paymentIntents: 0,
    charges: 0,
    balanceTransactions: 0,
    events: 0,
    chargesByMetadata: {},
    duplicateCharges: {},
    duplicateChargeCount: 0,
    faults: { fail5xx: 0, timeoutAfterCommit: 0, declineNext: 0 },
    webhooks: { attempts: 0, delivered: 0, failed: 0, dropped: 0, duplicated: 0, pending: 0 },
  };
  const counters = ["requests", "authorizations", "declines", "captures", "refunds", "cancellations", "disputes", "evidenceSubmissions", "threeDsChallenges", "idempotentReplays"] as const;
  for (const s of stores) {
    const st = s.stats;
    for (const k of counters) out[k] += st[k];
    out.paymentIntents += s.paymentIntents.size;
    out.charges += s.charges.size;
    out.balanceTransactions += s.balanceTransactions.size;
    out.events += s.events.size;
    for (const [k, v] of st.chargesByMetadata) out.chargesByMetadata[k] = (out.chargesByMetadata[k] ?? 0) + v;
    for (const k of Object.keys(out.faults) as (keyof KeyStats["faults"])[]) out.faults[k] += st.faults[k];
    for (const k of Object.keys(out.webhooks) as (keyof KeyStats["webhooks"])[]) out.webhooks[k] += st.webhooks[k];
  }
  for (const [k, v] of Object.entries(out.chargesByMetadata)) {
    if (v > 1) {
      out.duplicateCharges[k] = v;
      out.duplicateChargeCount += 1;
    }
  }
  return out;
}
