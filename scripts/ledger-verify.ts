/**
 * Verifies the ledger: prints the trial balance per currency and exits 1 when any journal or any
 * currency does not balance (listing the offending journals), 0 otherwise.
 *
 *   npm run ledger:verify        (DATABASE_URL, else the embedded cluster of a running `npm run dev`,
 *                                 else postgres://postgres@127.0.0.1:5432/payrail)
 */
import { createDatabase } from "../db/client";
import { trialBalance } from "../server/ledger";
import { resolveDatabaseUrl } from "./launcher/running-url";

const url = resolveDatabaseUrl();
const database = createDatabase(url, { max: 1 });

let exitCode = 0;
try {
  const tb = await trialBalance(database.db);
  const rows = tb.currencies.map((c) => [c.currency, c.debits.toString(), c.credits.toString(), c.net.toString(), c.net === 0n ? "ok" : "UNBALANCED"]);
  const header = ["currency", "debits", "credits", "net", "status"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`ledger trial balance (${new URL(url).pathname.slice(1)})`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
  if (rows.length === 0) console.log("(no ledger lines)");

  if (tb.unbalancedJournals.length > 0) {
    console.log(`\n${tb.unbalancedJournals.length} unbalanced journal(s):`);
    for (const j of tb.unbalancedJournals) console.log(`  journal ${j.journalId} ${j.currency} sum ${j.sum}`);
  }
  if (!tb.balanced) {
    console.error("\nledger does NOT balance");
    exitCode = 1;
  } else {
    console.log("\nledger balances");
  }
} catch (e) {
  // drizzle wraps driver errors ("Failed query: ..."); the cause says what went wrong.
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  console.error(`ledger verification failed on ${new URL(url).pathname.slice(1)}:`, cause instanceof Error ? cause.message : cause);
  exitCode = 1;
} finally {
  await database.close();
}
process.exit(exitCode);
