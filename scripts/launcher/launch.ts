/**
 * Shared by `npm run dev` and `npm start`: database (given or embedded) -> migrations -> PSP simulator
 * -> demo seed -> Next child. When the child exits, everything started here is stopped in reverse.
 */
import type { ChildProcess } from "node:child_process";
import { env } from "../../server/env";
import { isLiveKey, pspConfigurationError, pspMode } from "../../server/psp/mode";
import { seedDemo } from "../seed";
import { printBanner } from "./banner";
import { prepareDatabase } from "./database";
import { DATA_DIR, DEMO_KEY_FILE } from "./paths";
import { authSecret, DEMO_PASSWORD_FILE, demoPassword } from "../../server/auth/local-secret";
import { demoSecretKey } from "./demo-key";
import { exitAfterCleanup, handleSignals, isExiting, onCleanup } from "./lifecycle";
import { hasProductionBuild, spawnNext, type NextMode } from "./next-app";
import { isPortFree, pickPort, waitForPort } from "./ports";
import { preparePsp } from "./psp";
import { migrateJobQueue } from "../../server/jobs/migrate";
import { spawnWorker, stopWorker } from "./worker";

const READY_TIMEOUT_MS = 120_000;

export async function launch(mode: NextMode): Promise<void> {
  // `next start` runs with NODE_ENV=production, so the launcher applies the production rules too.
  const refused = configurationError(mode);
  if (refused) {
    console.error(`[launcher] ${refused}`);
    process.exit(1);
  }
  if (mode === "start" && !hasProductionBuild()) {
    console.error("[launcher] No production build (.next/BUILD_ID is missing). Run `npm run build` first.");
    process.exit(1);
  }

  let child: ChildProcess | undefined;
  handleSignals((signal) => {
    if (!child || child.exitCode !== null) return false;
    child.kill(signal); // its exit handler below does the cleanup
    return true;
  });
  // Last resort if we exit without the orderly path (crash, second Ctrl-C): don't leave Next running.
  process.on("exit", () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  });

  try {
    const appPort = await chooseAppPort();
    const db = await prepareDatabase();
    onCleanup(db.stop);
    const psp = await preparePsp(appPort);
    onCleanup(psp.close);
    const secretKey = demoSecretKey();
    if (isLiveKey(secretKey) && pspMode(env()) === "simulated") {
      throw new Error("The demo key is a live key (sk_live_...) but the PSP is simulated: use a sk_test_ key, or configure STRIPE_SECRET_KEY.");
    }
    const password = demoPassword(DATA_DIR);
    const seed = await seedDemo(db.url, { secretKey, pspApiBase: psp.apiBase, demoPassword: password });
    if (seed.demoPayments > 0) console.log(`[launcher] seeded ${seed.demoPayments} demo payment intents`);
    if (isExiting()) return;

    // The job queue's schema before the app: the webhook route enqueues with SQL from its first request.
    await migrateJobQueue(db.url);
    const worker = spawnWorker({ DATABASE_URL: db.url, ...psp.env });
    worker.on("exit", (code, signal) => {
      if (!isExiting()) console.warn(`[launcher] the job worker exited (${signal ?? code}); run \`npm run worker\` to restart it`);
    });
    onCleanup(() => stopWorker(worker));
    process.on("exit", () => {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill("SIGTERM");
    });
    // The session secret is decided here so the app and any later restart agree on it (kept in .data/).
    child = spawnNext(mode, appPort, { DATABASE_URL: db.url, AUTH_SECRET: authSecret(DATA_DIR), ...psp.env });
    child.on("exit", (code, signal) => {
      void exitAfterCleanup(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1));
    });
    if (await waitForPort(appPort, "127.0.0.1", READY_TIMEOUT_MS)) {
      if (child.exitCode === null && !isExiting()) {
        const keySource = env().DEMO_SECRET_KEY ? "DEMO_SECRET_KEY" : DEMO_KEY_FILE;
        printBanner({ mode, appPort, databaseUrl: db.url, embeddedDb: db.embedded, psp, merchantId: seed.merchantId, secretKey: seed.secretKey, publishableKey: seed.publishableKey, keySource,
          dashboard: { password, passwordSource: env().DEMO_PASSWORD ? "DEMO_PASSWORD" : `${DATA_DIR}/${DEMO_PASSWORD_FILE}` } });
      }
    } else {
      console.warn(`[launcher] Next did not accept connections on port ${appPort} within ${READY_TIMEOUT_MS / 1000}s`);
    }
  } catch (err) {
    console.error("[launcher]", err instanceof Error ? err.message : err);
    await exitAfterCleanup(1);
  }
}

function configurationError(mode: NextMode): string | undefined {
  const e = env();
  return pspConfigurationError({ ...e, NODE_ENV: mode === "start" ? "production" : e.NODE_ENV });
}

/** PORT if set (must be free: the webhook URL depends on it), else 3000 or the next free port. */
async function chooseAppPort(): Promise<number> {
  const configured = env().PORT;
  if (configured !== undefined) {
    if (configured > 65535) throw new Error(`PORT must be a port number, got '${configured}'`);
    if (!(await isPortFree(configured))) throw new Error(`PORT ${configured} is already in use`);
    return configured;
  }
  const port = await pickPort(3000);
  if (port !== 3000) console.log(`[launcher] port 3000 is taken; using ${port}`);
  return port;
}
