// The box `claw auth apikey create` and `rotate` print, exactly as the guide shows it: the only time a secret is shown.

import type { ApiKeySecret } from "../../api/types/auth-api.js";
import { formatPermissions } from "./permission-list.js";

const RULE = "═".repeat(64);
const label = (name: string) => `${name}:`.padEnd(12);

/** The lines of the box, ending with a newline; `title` is e.g. "API Key created successfully". */
export function renderApiKeyBox(key: ApiKeySecret, title: string): string {
  return [
    title,
    RULE,
    `${label("Key ID")}${key.keyId}`,
    `${label("Secret")}${key.secret}  ← SAVE THIS!`,
    `${label("Name")}${key.displayName}`,
    `${label("Scopes")}${formatPermissions(key.scopes)}`,
    `${label("Expires")}${key.expiresAt ?? "never"}`,
    RULE,
    "WARNING: The secret will not be shown again!",
    "",
  ].join("\n");
}
