import { handleUnrecognized } from "@/server/http/rest";

/** Any /v1 path no other route serves: Stripe's JSON 404, for every method. */
export const dynamic = "force-dynamic";

export {
  handleUnrecognized as GET,
  handleUnrecognized as POST,
  handleUnrecognized as PUT,
  handleUnrecognized as PATCH,
  handleUnrecognized as DELETE,
};
