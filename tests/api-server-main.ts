/**
 * The API (route handlers, as tests/api-server.ts serves them) as its own process, for crash tests:
 * `tsx tests/api-server-main.ts <port>`; configured by the environment like the app; prints
 * "ready <url>" once listening.
 */
import { startApiServer } from "./api-server";

const port = Number(process.argv[2] ?? 0);
startApiServer(port).then(
  (api) => console.log(`ready ${api.url}`),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
