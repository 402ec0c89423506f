import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute paths, independent of the directory `npm run` was started from. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Local state (git-ignored): the embedded cluster, its log and the demo key. */
export const DATA_DIR = path.join(PROJECT_ROOT, ".data");
export const PG_DATA_DIR = path.join(DATA_DIR, "postgres");
export const PG_LOG_FILE = path.join(DATA_DIR, "postgres.log");
export const DEMO_KEY_FILE = path.join(DATA_DIR, "demo-secret-key");
/** Present only while a launcher runs the embedded cluster. */
export const RUNNING_DB_URL_FILE = path.join(DATA_DIR, "running-database-url");
/** Present only while a launcher runs the PSP simulator in-process: its URL, for operator commands (reconcile). */
export const RUNNING_PSP_URL_FILE = path.join(DATA_DIR, "running-psp-url");
