import { createServer, Socket } from "node:net";

/** True when nothing listens on host:port (we try to bind it ourselves and let go at once). */
export function isPortFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port the OS says is free right now. */
export function ephemeralPort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen({ port: 0, host }, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** `preferred` if free, else the next free one of the following 20, else any free port. */
export async function pickPort(preferred: number, host?: string): Promise<number> {
  for (let p = preferred; p < preferred + 20 && p < 65536; p++) {
    if (await isPortFree(p, host)) return p;
  }
  return ephemeralPort(host);
}

/** Resolves once something accepts TCP connections on host:port, false after `timeoutMs`. */
export async function waitForPort(port: number, host: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once("connect", () => { s.destroy(); resolve(true); });
      s.once("error", () => resolve(false));
      s.connect(port, host);
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
