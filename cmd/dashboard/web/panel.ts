// What a dashboard panel is: an id, a title, how often it reloads, and how it loads its content.

import type { Session } from "./api.js";

export interface Panel {
  id: string;
  title: string;
  /** How often it reloads. */
  everyMs: number;
  load(session: Session): Promise<Node>;
}
