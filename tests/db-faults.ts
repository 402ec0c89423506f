import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

/**
 * A real database error on demand: a trigger that makes PostgreSQL refuse every insert into
 * `table` for one merchant (SQLSTATE P0001), so the failing statement carries the request's data
 * as parameters exactly like any other failed query.
 */
export async function failInsertsFor(db: Db, table: "payment_intents" | "refunds", merchantId: string): Promise<void> {
  if (!/^[A-Za-z0-9_]+$/.test(merchantId)) throw new Error(`unexpected merchant id ${merchantId}`);
  await db.execute(sql.raw(`create or replace function payrail_test_refuse_insert() returns trigger language plpgsql as $$
    begin raise exception 'insert refused by test trigger'; end $$`));
  await db.execute(
    sql.raw(`create trigger refuse_${merchantId.toLowerCase()} before insert on ${table} for each row
      when (new.merchant_id = '${merchantId}') execute function payrail_test_refuse_insert()`),
  );
}
