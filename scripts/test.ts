/**
 * The whole suite, in the order that fails fastest: lint, migrations against the schema, types,
 * pure unit tests, integration tests against real PostgreSQL, then the merchant API driven by the
 * official stripe SDK over HTTP.
 */
import { spawnSync } from "node:child_process";

const steps: [string, string[]][] = [
  ["lint", ["npx", "biome", "lint", "."]],
  ["migrations match db/schema", ["npx", "tsx", "scripts/check-migrations.ts"]],
  ["typecheck", ["npx", "tsc", "--noEmit"]],
  ["unit + integration tests", ["npx", "vitest", "run"]],
  ["production build", ["npx", "next", "build"]],
  ["end-to-end (production server, stripe SDK, Chromium)", ["npx", "playwright", "test"]],
];

for (const [name, cmd] of steps) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${cmd.join(" ")}`);
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  console.log(`=== ${name}: ${r.status === 0 ? "ok" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
