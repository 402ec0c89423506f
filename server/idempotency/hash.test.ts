import { describe, expect, it } from "vitest";
import { canonicalJson, requestHash } from "./hash";

describe("request hash", () => {
  it("ignores key order and undefined fields but not values, paths or methods", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: "x" }, u: undefined })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    const h = requestHash("POST", "/v1/a", { x: "1", y: "2" });
    expect(requestHash("post", "/v1/a", { y: "2", x: "1" })).toBe(h);
    expect(requestHash("POST", "/v1/a", { x: "1", y: "3" })).not.toBe(h);
    expect(requestHash("POST", "/v1/b", { x: "1", y: "2" })).not.toBe(h);
    expect(requestHash("POST", "/v1/a", { x: 1n, y: "2" })).toBe(requestHash("POST", "/v1/a", { x: "1", y: "2" }));
  });
});
