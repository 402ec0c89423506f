import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { sessionFromHeaders } from "@/server/auth/session";

/** Signed in: the dashboard; signed out: sign in. */
export default async function Home() {
  redirect((await sessionFromHeaders(await headers())) ? "/payments" : "/login");
}
