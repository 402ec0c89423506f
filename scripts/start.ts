/** `npm start`: like `npm run dev` but serving the production build (`npm run build` first). */
import { launch } from "./launcher/launch";

void launch("start");
