// What a dashboard panel is: an id, a title, how often it reloads, how it loads its content, and how it
// lets go of what it holds open.

import type { Session } from "./api.js";

export interface Panel {
  id: string;
  title: string;
  /** How often it reloads. */
  everyMs: number;
  load(session: Session): Promise<Node>;
  /** Ends what the panel keeps open between loads (a live stream) when the session ends. */
  stop?(): void;
}
