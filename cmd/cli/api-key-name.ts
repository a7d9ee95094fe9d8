// The object name of a new ApiKey, derived from its display name: "CI/CD Pipeline" → ci-cd-pipeline.

const MAX_BASE = 48;

/** A DNS label from the display name; attempt 2, 3, … add `-2`, `-3`, … for when the name is taken. */
export function apiKeyObjectName(displayName: string, attempt = 1): string {
  const slug = displayName
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, MAX_BASE)
    .replace(/^-+|-+$/g, "");
  const base = slug || "apikey";
  return attempt <= 1 ? base : `${base}-${attempt}`;
}
