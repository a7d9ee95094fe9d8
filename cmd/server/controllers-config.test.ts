// gateway.toml's [controllers]: enabled (overridden by --controllers) and workers, each refusal naming
// the file, the line and what is allowed.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { controllersConfigOf, parseControllersConfig, type ControllersConfig } from "./controllers-config.js";

describe("parseControllersConfig", () => {
  it.each<[string, unknown, boolean | undefined, ControllersConfig]>([
    ["runs the controllers with their default workers when there is no [controllers]", undefined, undefined, { enabled: true }],
    ["runs them for an empty [controllers]", {}, undefined, { enabled: true }],
    ["follows [controllers] enabled without the flag", { enabled: false }, undefined, { enabled: false }],
    ["follows --controllers over the file", { enabled: true }, false, { enabled: false }],
    ["follows --controllers=true over enabled = false", { enabled: false }, true, { enabled: true }],
    ["reads workers", { workers: 8 }, undefined, { enabled: true, workers: 8 }],
    ["reads the smallest and the largest workers", { workers: 1 }, undefined, { enabled: true, workers: 1 }],
    ["keeps workers when the flag turns the controllers off", { workers: 256 }, false, { enabled: false, workers: 256 }],
  ])("%s", (_name, raw, flag, expected) => {
    expect(parseControllersConfig(raw, flag !== undefined ? { flag } : {})).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ["refuses an enabled that is not a boolean", { enabled: "no" }, "[controllers] enabled"],
    ["refuses workers = 0", { workers: 0 }, "a whole number from 1 to 256"],
    ["refuses workers past 256", { workers: 257 }, "a whole number from 1 to 256"],
    ["refuses a negative workers", { workers: -2 }, "a whole number from 1 to 256"],
    ["refuses a fractional workers", { workers: 2.5 }, "a whole number from 1 to 256"],
    ["refuses a quoted workers, saying to drop the quotes", { workers: "8" }, "without the quotes"],
    ["refuses a misspelt key, suggesting the right one", { worker: 8 }, "unknown key worker (did you mean workers?)"],
    ["refuses [controllers] that is not a table", "yes", "[controllers] must be a table"],
  ])("%s", (_name, raw, message) => {
    expect(() => parseControllersConfig(raw, { source: "gateway.toml" })).toThrow(message);
  });

  it("names the file and the line of a refused key", () => {
    const dir = mkdtempSync(join(tmpdir(), "claw-controllers-config-"));
    try {
      const file = join(dir, "gateway.toml");
      writeFileSync(file, "[server]\nlisten = \"127.0.0.1:8080\"\n\n[controllers]\nenabled = true\nworkers = 0\n");
      expect(() => controllersConfigOf({ sections: { controllers: { enabled: true, workers: 0 } }, configFile: file })).toThrow(`${file}:6:`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
