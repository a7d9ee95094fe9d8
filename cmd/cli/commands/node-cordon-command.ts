// `claw node cordon NAME [--mesh]` and `claw node uncordon NAME [--mesh]`: merge-patch spec.cordoned (no new
// workloads) or spec.meshCordoned (out of every other node's peer list), guarded by the resourceVersion read.

import type { Command } from "commander";
import { isNotFound } from "../../../api/machinery/errors.js";
import type { Node, NodeSpec } from "../../../api/types/node.js";
import { runAction } from "../cli-action.js";
import { guardedPatch } from "../guarded-patch.js";
import { NODES, nodeNotFound, type NodeCommandContext } from "./node-context.js";

interface Verb {
  name: "cordon" | "uncordon";
  value: boolean;
  description: string;
  examples: string;
}

const VERBS: Verb[] = [
  {
    name: "cordon",
    value: true,
    description: "stop a node taking new workloads (spec.cordoned), or with --mesh take it out of the mesh (spec.meshCordoned)",
    examples: "  claw node cordon gpu-node-1\n  claw node cordon gpu-node-1 --mesh       # other nodes drop it from their peer lists within seconds",
  },
  {
    name: "uncordon",
    value: false,
    description: "let a node take workloads again, or with --mesh put it back in the mesh",
    examples: "  claw node uncordon gpu-node-1\n  claw node uncordon gpu-node-1 --mesh",
  },
];

export function addNodeCordonCommands(node: Command, ctx: NodeCommandContext): void {
  const { session } = ctx;
  for (const verb of VERBS) {
    node
      .command(verb.name)
      .description(verb.description)
      .argument("<name>", "the node's name, as 'claw node list' shows it")
      .option("--mesh", verb.value ? "cordon it for the mesh instead: its own session stays open" : "uncordon it for the mesh instead")
      .addHelpText("after", `\nThe two are independent: a node cordoned for workloads stays in the mesh, and the other way round.\n\nExamples:\n${verb.examples}\n`)
      .action(
        runAction(session, async (name: string, flags: { mesh?: boolean }) => {
          const field: keyof NodeSpec = flags.mesh ? "meshCordoned" : "cordoned";
          let changed: boolean;
          try {
            const result = await guardedPatch<Node>({
              client: await session.client(),
              plural: NODES,
              name,
              signal: session.deps.signal,
              change: (live) => ((live.spec?.[field] ?? false) === verb.value ? undefined : { [field]: verb.value }),
            });
            changed = result.changed;
          } catch (err) {
            throw isNotFound(err) ? nodeNotFound(session, name) : err;
          }
          const what = `${verb.name}ed${flags.mesh ? " for the mesh" : ""}`;
          session.out(changed ? `node "${name}" ${what}\n` : `node "${name}" was already ${what}\n`);
        }),
      );
  }
}
