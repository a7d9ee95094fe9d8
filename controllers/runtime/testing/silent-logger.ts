// A logger that drops everything, for tests (they assert on state, never on log text).

import pino, { type Logger } from "pino";

export const silentLogger = (): Logger => pino({ level: "silent" });
