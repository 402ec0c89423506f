"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { signIn, signOut } from "@/server/auth/config";

export interface SignInState {
  error: string | null;
}

/** Only paths of this site: never an open redirect to another origin. */
const safeNext = (raw: FormDataEntryValue | null) => (typeof raw === "string" && /^\/(?!\/)[\w\-/.?=&%]*$/.test(raw) ? raw : "/payments");

export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  try {
    await signIn("credentials", { email: String(form.get("email") ?? ""), password: String(form.get("password") ?? ""), redirectTo: safeNext(form.get("next")) });
    return { error: null };
  } catch (err) {
    if (err instanceof CredentialsSignin && err.code === "rate_limited") return { error: "Too many failed attempts. Wait 15 minutes and try again." };
    if (err instanceof AuthError) return { error: "Wrong email or password." };
    throw err; // the redirect after a successful sign-in
  }
}

export async function signOutAction() {
  await signOut({ redirectTo: "/login" });
}
