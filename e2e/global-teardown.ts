import postgres from "postgres";

/** Drops the database the e2e server created (named after this runner's pid in playwright.config.ts). */
export default async function teardown() {
  if (process.env.E2E_DATABASE_OWNED !== "1") return;
  const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "payrail_e2e_${process.pid}" with (force)`).catch(() => {});
  await admin.end();
}
