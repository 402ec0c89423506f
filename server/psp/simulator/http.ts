/** Small node:http helpers: body reading, JSON/HTML responses, API-key parsing. */
import type { IncomingMessage, ServerResponse } from "node:http";

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge(`body exceeds ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)).toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, content-type, idempotency-key, stripe-version, stripe-account",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Expose-Headers": "request-id, idempotent-replayed, stripe-version",
};

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>, contentType = "application/json"): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...CORS_HEADERS, ...headers, "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(body)) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), headers);
}

export function redirect(res: ServerResponse, location: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(303, { Location: location, "Content-Length": "0" });
  res.end();
}

export type KeyKind = "secret" | "publishable";

/** `Authorization: Bearer sk_test_...` (or Basic with the key as user name). */
export function parseApiKey(header: string | undefined): { key: string; kind: KeyKind } | { error: string } {
  if (!header) {
    return { error: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')." };
  }
  let key: string | undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) key = bearer[1];
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (basic) key = Buffer.from(basic[1] ?? "", "base64").toString("utf8").split(":")[0];
  if (!key) return { error: "Invalid Authorization header; use 'Authorization: Bearer sk_test_...'." };
  if (/^(sk|rk)_test_\S+$/.test(key)) return { key, kind: "secret" };
  if (/^pk_test_\S+$/.test(key)) return { key, kind: "publishable" };
  const masked = key.length > 12 ? `${key.slice(0, 8)}${"*".repeat(Math.min(key.length - 12, 20))}${key.slice(-4)}` : "****";
  return { error: `Invalid API Key provided: ${masked}` };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
