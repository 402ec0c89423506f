/**
 * The reconciliation step of `npm run bench`: bench/reconcile.ts in a child process (its peak RSS is
 * that of a process doing only the reconciliation, not of the load driver), one size.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "./app";

export interface ReconResult {
  lines: number;
  seconds: number;
  linesPerS: number;
  matched: number;
  exceptions: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** The child's result line as printed. */
  line: string;
}

export async function runReconStep(lines: number, log: (m: string) => void): Promise<ReconResult> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench", "reconcile.ts")], {
    cwd: ROOT,
    env: { ...process.env, BENCH_RECON_SIZES: String(lines) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const line = out.split("\n").find((l) => l.startsWith("[bench] lines="))?.slice("[bench] ".length);
  if (code !== 0 || !line) throw new Error(`bench/reconcile.ts exited ${code}: ${(err || out).trim().split("\n").slice(-10).join("\n")}`);
  for (const l of out.split("\n")) if (l.startsWith("[bench] seeded")) log(`  ${l.slice(8)}`);
  // e.g. "lines=100000 seconds=41.2 ... peak_rss=180.3 MB peak_heap=60.1 MB"
  const num = (k: string) => Number(new RegExp(`(?:^| )${k}=([\\d.]+)`).exec(line)?.[1] ?? Number.NaN);
  return {
    lines: num("lines"),
    seconds: num("seconds"),
    linesPerS: num("lines_per_s"),
    matched: num("matched"),
    exceptions: num("exceptions"),
    peakRssMb: num("peak_rss"),
    peakHeapMb: num("peak_heap"),
    line,
  };
}
