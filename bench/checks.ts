/** Post-run invariants: the ledger balances, and the PSP charged each payment intent exactly once. */
import { createDatabase } from "../db/client";
import { trialBalance } from "../server/ledger";
import type { StatsJson } from "../server/psp/simulator/stats";
import type { LoadLedger } from "./load";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

export async function checkLedger(databaseUrl: string): Promise<Check> {
  const database = createDatabase(databaseUrl, { max: 2 });
  try {
    const tb = await trialBalance(database.db);
    const nets = tb.currencies.map((c) => `${c.currency}:${c.net}`).join(" ");
    return {
      name: "trial balance is zero per currency",
      ok: tb.balanced && tb.currencies.every((c) => c.net === 0n),
      detail: tb.balanced ? `balanced (${nets || "no lines"})` : `NOT balanced: ${json(tb).slice(0, 500)}`,
    };
  } finally {
    await database.close();
  }
}

type SimStats = StatsJson;

export async function checkPsp(simUrl: string, pspKey: string, ids: LoadLedger): Promise<{ checks: Check[]; stats: SimStats }> {
  const res = await fetch(`${simUrl}/_sim/stats?apiKey=${encodeURIComponent(pspKey)}`);
  const stats = (await res.json()) as SimStats;
  const over = Object.entries(stats.chargesByMetadata).filter(([, n]) => n > 1);
  const charged = Object.keys(stats.chargesByMetadata).length;
  const unknown = Object.keys(stats.chargesByMetadata).filter((id) => !ids.created.has(id)).length;
  const checks: Check[] = [
    {
      name: "at most one PSP charge per payment intent",
      ok: over.length === 0 && Object.keys(stats.duplicateCharges).length === 0 && stats.duplicateChargeCount === 0,
      detail: over.length === 0 ? `${charged} intents charged, none twice` : `${over.length} intents charged more than once, e.g. ${json(over.slice(0, 5))}`,
    },
    {
      name: "PSP authorizations = distinct confirmed intents",
      ok: stats.authorizations === ids.confirmed.size && charged === ids.confirmed.size && unknown === 0,
      detail: `authorizations=${stats.authorizations} charged_intents=${charged} confirmed_intents=${ids.confirmed.size}${unknown ? ` unknown_intents=${unknown}` : ""}`,
    },
  ];
  return { checks, stats };
}
