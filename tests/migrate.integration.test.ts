import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { migrateDatabase } from "@/db/migrate";

describe("migrations", () => {
  it("applying them again is a no-op and the hand-written guards are in place", async () => {
    const url = process.env.DATABASE_URL!;
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const before = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
      await migrateDatabase(url);
      await migrateDatabase(url);
      const after = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(after[0]!.n).toBe(before[0]!.n);
      expect(before[0]!.n).toBeGreaterThanOrEqual(2);
      const triggers = await sql`select tgname from pg_trigger where not tgisinternal order by tgname`;
      expect(triggers.map((t) => t.tgname)).toEqual(
        expect.arrayContaining(["ledger_lines_balanced", "ledger_journals_have_lines", "ledger_lines_append_only", "ledger_journals_append_only"]),
      );
    } finally {
      await sql.end();
    }
  });
});
