import { migrateDatabase } from "../../db/migrate";
import { startEmbeddedPostgres } from "./embedded-pg";

export interface AppDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** DATABASE_URL when set, otherwise the embedded cluster; either way migrated to the latest schema. */
export async function prepareDatabase(): Promise<AppDatabase> {
  const configured = process.env.DATABASE_URL || undefined;
  const db: AppDatabase = configured
    ? { url: configured, embedded: false, stop: async () => {} }
    : { ...(await startEmbeddedPostgres()), embedded: true };
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
