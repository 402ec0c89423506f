/** `npm run dev`: the whole product locally, with hot reload. See launcher/launch.ts. */
import { launch } from "./launcher/launch";

void launch("dev");
