import { migrateDatabase } from "../db/migrate";
import { migrateJobQueue } from "../server/jobs/migrate";

/** One fresh database per test run; tests isolate by creating their own merchants. */
export default async function setup() {
  const base = process.env.TEST_DATABASE_BASE_URL ?? "postgres://postgres@127.0.0.1:5432";
  const name = `payrail_test_${process.pid}_${Date.now().toString(36)}`;
  const url = `${base.replace(/\/$/, "")}/${name}`;
  await migrateDatabase(url);
  await migrateJobQueue(url);
  process.env.DATABASE_URL = url;
  return async () => {
    const postgres = (await import("postgres")).default;
    const admin = postgres(`${base.replace(/\/$/, "")}/postgres`, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end();
  };
}
