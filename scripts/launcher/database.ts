import { migrateDatabase } from "../../db/migrate";
import { env } from "../../server/env";
import { startEmbeddedPostgres } from "./embedded-pg";
import { recordRunningDatabaseUrl } from "./running-url";

export interface AppDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** DATABASE_URL when set, otherwise the embedded cluster; either way migrated to the latest schema. */
export async function prepareDatabase(): Promise<AppDatabase> {
  const configured = env().DATABASE_URL;
  let db: AppDatabase;
  if (configured) {
    db = { url: configured, embedded: false, stop: async () => {} };
  } else {
    const pg = await startEmbeddedPostgres();
    const forget = recordRunningDatabaseUrl(pg.url);
    const stop = () => {
      forget();
      return pg.stop();
    };
    db = { url: pg.url, embedded: true, stop };
  }
  try {
    await migrateDatabase(db.url);
  } catch (err) {
    await db.stop();
    throw err;
  }
  return db;
}

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
