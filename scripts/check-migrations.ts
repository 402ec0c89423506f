/**
 * Fails when db/schema and drizzle/ disagree: `drizzle-kit check` validates the migration history
 * (snapshots, collisions), then `drizzle-kit generate` runs against a scratch copy of drizzle/; if
 * it would write any file, a schema change has no migration. Needs no database.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const migrations = path.join(root, "drizzle");

function drizzleKit(args: string[]): { status: number | null; output: string } {
  const r = spawnSync("npx", ["drizzle-kit", ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Every file below dir with its content, keyed by relative path. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full), readFileSync(full, "utf8"));
  }
  return files;
}

const check = drizzleKit(["check"]);
if (check.status !== 0) {
  console.error(check.output);
  console.error("drizzle-kit check failed: the migration history in drizzle/ is inconsistent.");
  process.exit(1);
}

const scratch = mkdtempSync(path.join(tmpdir(), "payrail-drift-"));
try {
  process.exitCode = generateInto(scratch);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** Generates into a copy of drizzle/ at scratch; returns the exit code. */
function generateInto(scratch: string): number {
  cpSync(migrations, scratch, { recursive: true });
  const before = snapshot(scratch);
  // drizzle-kit prefixes --out with "./", so it must be relative to the project root.
  const generate = drizzleKit([
    "generate",
    "--dialect=postgresql",
    "--schema=./db/schema/index.ts",
    `--out=${path.relative(root, scratch)}`,
    "--name=drift",
  ]);
  if (generate.status !== 0) {
    console.error(generate.output);
    console.error("drizzle-kit generate failed.");
    return 1;
  }
  const after = snapshot(scratch);
  const changed = [...after].filter(([file, text]) => before.get(file) !== text).map(([file]) => file);
  // drizzle-kit exits 0 even when it stops at a prompt (a possible rename needs a TTY): only its
  // "nothing to migrate" line with no file written means the two agree.
  if (changed.length === 0 && !/No schema changes/.test(generate.output)) {
    console.error(generate.output);
    console.error("drizzle-kit generate did not confirm that db/schema matches drizzle/ (a rename or drop to resolve?).");
    return 1;
  }
  if (changed.length > 0) {
    const sqlFile = changed.find((f) => f.endsWith(".sql"));
    if (sqlFile) console.error(after.get(sqlFile));
    console.error(
      `db/schema has changes without a migration (drizzle-kit would write ${changed.join(", ")}).\n` +
        "Run `npx drizzle-kit generate --name <short_name>` and commit the result.",
    );
    return 1;
  }
  console.log("db/schema and drizzle/ agree: no migration to generate.");
  return 0;
}
