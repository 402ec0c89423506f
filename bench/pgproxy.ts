/**
 * Profiling aid: a TCP proxy in front of PostgreSQL that counts protocol messages, so the round
 * trips an unmodified app makes per request can be measured from outside. Counts client messages
 * Parse (P), Bind (B), Execute (E), simple Query (Q), Sync (S), and server ReadyForQuery (Z) —
 * one Z per round trip — and the time spent waiting between a Sync/Query and its ReadyForQuery.
 * Assumes no TLS (postgres.js default).
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

export interface ProtoCounters {
  parse: number;
  bind: number;
  execute: number;
  query: number;
  sync: number;
  ready: number;
  /** Sum over round trips of (ReadyForQuery time - Sync/Query time), ms, all connections. */
  waitMs: number;
  connections: number;
}

export const zero = (): ProtoCounters => ({ parse: 0, bind: 0, execute: 0, query: 0, sync: 0, ready: 0, waitMs: 0, connections: 0 });

export function diff(a: ProtoCounters, b: ProtoCounters): ProtoCounters {
  const out = zero();
  for (const k of Object.keys(out) as (keyof ProtoCounters)[]) out[k] = b[k] - a[k];
  return out;
}

/** Splits a byte stream into typed messages (type byte + int32 length including itself). */
class MessageStream {
  private buf: Buffer = Buffer.alloc(0);
  constructor(
    private untypedFirst: boolean,
    private readonly onMessage: (type: string) => void,
  ) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.untypedFirst) {
        if (this.buf.length < 4) return;
        const len = this.buf.readInt32BE(0);
        if (this.buf.length < len) return;
        this.buf = this.buf.subarray(len);
        this.untypedFirst = false;
        continue;
      }
      if (this.buf.length < 5) return;
      const len = this.buf.readInt32BE(1);
      if (this.buf.length < 1 + len) return;
      this.onMessage(String.fromCharCode(this.buf[0]!));
      this.buf = this.buf.subarray(1 + len);
    }
  }
}

export interface PgProxy {
  port: number;
  counters: ProtoCounters;
  close(): Promise<void>;
}

export async function startPgProxy(upstream: { host: string; port: number }): Promise<PgProxy> {
  const counters = zero();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    counters.connections += 1;
    const pg = createConnection(upstream);
    sockets.add(client).add(pg);
    const pendingSince: number[] = [];
    const fromClient = new MessageStream(true, (t) => {
      if (t === "P") counters.parse += 1;
      else if (t === "B") counters.bind += 1;
      else if (t === "E") counters.execute += 1;
      else if (t === "Q" || t === "S") {
        if (t === "Q") counters.query += 1;
        else counters.sync += 1;
        pendingSince.push(performance.now());
      }
    });
    const fromServer = new MessageStream(false, (t) => {
      if (t !== "Z") return;
      counters.ready += 1;
      const since = pendingSince.shift();
      if (since !== undefined) counters.waitMs += performance.now() - since;
    });
    client.on("data", (c: Buffer) => {
      fromClient.push(c);
      pg.write(c);
    });
    pg.on("data", (c: Buffer) => {
      fromServer.push(c);
      client.write(c);
    });
    const end = () => {
      client.destroy();
      pg.destroy();
      sockets.delete(client);
      sockets.delete(pg);
    };
    client.on("close", end).on("error", end);
    pg.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    port,
    counters,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
