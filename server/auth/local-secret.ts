import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "../env";

/**
 * A value generated on first use and kept in `.data/<name>` (0600, git-ignored), so restarts keep
 * it; the first writer wins when two processes race.
 */
export function readOrCreate(dataDir: string, name: string, generate: () => string): string {
  const file = path.join(dataDir, name);
  const read = () => {
    try {
      return readFileSync(file, "utf8").trim() || undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  };
  const existing = read();
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true });
  const value = generate();
  try {
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: "wx" });
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return read() ?? value;
    throw err;
  }
}

const defaultDataDir = () => path.join(process.cwd(), ".data");

export const AUTH_SECRET_FILE = "auth-secret";
export const DEMO_PASSWORD_FILE = "demo-password";

/** AUTH_SECRET, else the one kept in .data/auth-secret. */
export function authSecret(dataDir = defaultDataDir()): string {
  return env().AUTH_SECRET ?? readOrCreate(dataDir, AUTH_SECRET_FILE, () => randomBytes(32).toString("base64url"));
}

/** DEMO_PASSWORD, else the one kept in .data/demo-password (readable words are not needed: it is printed). */
export function demoPassword(dataDir = defaultDataDir()): string {
  return env().DEMO_PASSWORD ?? readOrCreate(dataDir, DEMO_PASSWORD_FILE, () => randomBytes(12).toString("base64url"));
}
