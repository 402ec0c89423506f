import { DomainError } from "../errors";

/** Largest request body the merchant API reads (documented in the README); Stripe's requests are a few KB. */
export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = () =>
  new DomainError("request_too_large", `The request body is larger than ${MAX_BODY_BYTES} bytes, the most this API accepts.`);

/**
 * Reads the body as UTF-8 text, refusing it (413) as soon as it passes the limit: by its declared
 * Content-Length before reading anything, else while streaming, so a huge body is never buffered.
 */
export async function readBodyText(request: Request, maxBytes = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
