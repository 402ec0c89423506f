import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { env } from "../../server/env";
import { generateSecretKey } from "../../server/merchants/api-keys";
import { DATA_DIR, DEMO_KEY_FILE } from "./paths";

/**
 * The demo merchant's clear secret key: DEMO_SECRET_KEY if set, else one generated on first run and
 * kept in .data/demo-secret-key (0600), because the database only stores its hash.
 */
export function demoSecretKey(): string {
  const fromEnv = env().DEMO_SECRET_KEY;
  if (fromEnv) return fromEnv;
  const existing = readKeyFile();
  if (existing) return existing;
  mkdirSync(DATA_DIR, { recursive: true });
  const key = generateSecretKey("test");
  try {
    writeFileSync(DEMO_KEY_FILE, `${key}\n`, { mode: 0o600, flag: "wx" });
    return key;
  } catch (err) {
    // Another launcher wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return readKeyFile() ?? key;
    throw err;
  }
}

function readKeyFile(): string | undefined {
  try {
    const key = readFileSync(DEMO_KEY_FILE, "utf8").trim();
    if (!key.startsWith("sk_")) throw new Error(`${DEMO_KEY_FILE} does not hold an sk_ key; delete it to get a new one`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
