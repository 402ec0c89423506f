/** `npm run db:migrate`: creates the database if missing and applies pending migrations. */
import { migrateDatabase } from "../db/migrate";
import { resolveDatabaseUrl } from "./launcher/running-url";

const url = resolveDatabaseUrl();
const shown = new URL(url);
if (shown.password) shown.password = "***";

migrateDatabase(url).then(
  () => console.log(`[migrate] ${shown.toString()} is up to date`),
  (err: unknown) => {
    console.error(`[migrate] failed for ${shown.toString()}:`, err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
