/**
 * The merchant's webhook receiver of the bench: verifies every delivery with the official SDK
 * (`stripe.webhooks.constructEvent` on the raw body, as a merchant would) and records when each
 * event first arrived and how often (deliveries are at least once; the checks dedupe by event id).
 */
import { createServer, type Server } from "node:http";
import Stripe from "stripe";

export interface Arrival {
  /** Wall clock (ms since epoch) of the first delivery; compared with events.created_at of the same box. */
  firstAt: number;
  count: number;
  type: string;
}

export interface RunningReceiver {
  url: string;
  /** Event id -> first arrival and delivery count. */
  arrivals: Map<string, Arrival>;
  /** Deliveries answered 2xx (duplicates included). */
  deliveries(): number;
  /** Deliveries refused because the signature did not verify. */
  rejected(): number;
  /** Set once the endpoint is registered (its secret is returned by the create call only). */
  setSecret(secret: string): void;
  close(): Promise<void>;
}

const stripe = new Stripe("sk_test_receiver_unused");

export async function startReceiver(): Promise<RunningReceiver> {
  const arrivals = new Map<string, Arrival>();
  let secret: string | undefined;
  let deliveries = 0;
  let rejected = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      const header = req.headers["stripe-signature"];
      try {
        if (!secret || typeof header !== "string") throw new Error("no secret or signature");
        const event = stripe.webhooks.constructEvent(Buffer.concat(chunks), header, secret);
        deliveries++;
        const seen = arrivals.get(event.id);
        if (seen) seen.count++;
        else arrivals.set(event.id, { firstAt: at, count: 1, type: event.type });
        res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
      } catch {
        rejected++;
        res.writeHead(400).end();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    arrivals,
    deliveries: () => deliveries,
    rejected: () => rejected,
    setSecret: (s) => {
      secret = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
