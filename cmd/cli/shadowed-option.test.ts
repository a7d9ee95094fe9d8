import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { reclaimShadowedOption, type ShadowedValues } from "./shadowed-option.js";

/** A root with claw's --config and --server and `security firewall --config`, run on the arguments. */
async function parse(args: string[]): Promise<{ values: ShadowedValues; rootConfig: unknown }> {
  const root = new Command("claw").option("--config <path>").option("-s, --server <url>").exitOverride();
  let result: { values: ShadowedValues; rootConfig: unknown } | undefined;
  root
    .command("security")
    .command("firewall")
    .option("--config <file>")
    .option("--format <format>")
    .action((_flags, command: Command) => {
      const values = reclaimShadowedOption(command, "--config");
      result = { values, rootConfig: root.opts().config };
    });
  await root.parseAsync(args, { from: "user" });
  return result!;
}

describe("reclaimShadowedOption", () => {
  it.each([
    { name: "gives a --config after the subcommand to the subcommand", args: ["security", "firewall", "--config", "gw.toml"], values: { local: "gw.toml" }, rootConfig: undefined },
    { name: "leaves a --config before the subcommand to claw", args: ["--config", "kube.yaml", "security", "firewall"], values: { global: "kube.yaml" }, rootConfig: "kube.yaml" },
    { name: "splits one of each by where they stand", args: ["--config", "kube.yaml", "security", "firewall", "--format", "nftables", "--config", "gw.toml"], values: { global: "kube.yaml", local: "gw.toml" }, rootConfig: "kube.yaml" },
    { name: "reads --config=FILE", args: ["security", "firewall", "--config=gw.toml"], values: { local: "gw.toml" }, rootConfig: undefined },
    { name: "counts a --config between the two command names as claw's", args: ["security", "--config", "kube.yaml", "firewall"], values: { global: "kube.yaml" }, rootConfig: "kube.yaml" },
    { name: "is not fooled by a global option's value that spells a command name", args: ["--server", "firewall", "security", "firewall", "--config", "gw.toml"], values: { local: "gw.toml" }, rootConfig: undefined },
    { name: "finds none when there is none", args: ["security", "firewall"], values: {}, rootConfig: undefined },
  ])("$name", async ({ args, values, rootConfig }) => {
    expect(await parse(args)).toEqual({ values, rootConfig });
  });
});
