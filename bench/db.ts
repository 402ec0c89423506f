/** The bench database: DATABASE_URL when set, else a fresh payrail_bench_<ts> that is dropped at the end. */
import postgres from "postgres";
import { migrateDatabase } from "../db/migrate";

export const LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432";

export interface BenchDatabase {
  url: string;
  /** True when the bench created the database (and drops it in cleanup). */
  owned: boolean;
  cleanup(): Promise<void>;
}

export async function setupDatabase(stamp: string): Promise<BenchDatabase> {
  const given = process.env.DATABASE_URL;
  const url = given && given.length > 0 ? given : `${LOCAL_SERVER}/payrail_bench_${stamp}`;
  const owned = !given;
  await migrateDatabase(url); // creates the database when missing
  return {
    url,
    owned,
    async cleanup() {
      if (!owned) return;
      const name = decodeURIComponent(new URL(url).pathname.slice(1));
      const admin = postgres(`${LOCAL_SERVER}/postgres`, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}
