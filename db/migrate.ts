import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../drizzle");

/** Creates the database if missing, then applies pending migrations; a second run is a no-op. */
export async function migrateDatabase(url: string): Promise<void> {
  await ensureDatabaseExists(url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Serialize concurrent migrators (dev server + worker starting together).
    await sql`select pg_advisory_lock(7263548123)`;
    await migrate(drizzle(sql), { migrationsFolder });
    await sql`select pg_advisory_unlock(7263548123)`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) {
      await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`).catch((e: { code?: string }) => {
        if (e.code !== "42P04") throw e; // created concurrently
      });
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
