// `claw node …`: the operator's commands for GPU nodes. Nodes are ordinary resources (Node) whose status the
// server keeps from each agent's session; these commands read them, cordon and remove them, and make the
// bootstrap tokens new nodes join with. The agent's own commands (run, join) come from the entry point.

import type { Command } from "commander";
import type { CliSession } from "../cli-session.js";
import { NodesApi } from "../nodes-api.js";
import { PkiApi } from "../pki-api.js";
import type { NodeCommandContext } from "./node-context.js";
import { addNodeCordonCommands } from "./node-cordon-command.js";
import { addNodeInfoCommand } from "./node-info-command.js";
import { addNodeListCommand } from "./node-list-command.js";
import { addNodeMeshCommand } from "./node-mesh-command.js";
import { addNodeRemoveCommand } from "./node-remove-command.js";
import { addNodeTokenCommands } from "./node-token-command.js";

const EXAMPLES = `
  claw node list                                   # NAME, CONNECTED, MESH IP, CERT EXPIRES IN
  claw node list -o wide                           # adds AGENT, LAST HEARTBEAT, CORDONED
  claw node info gpu-node-1
  claw node mesh                                   # mesh IP, key, endpoint, peers up, last handshake
  claw node cordon gpu-node-1 [--mesh]             # and uncordon
  claw node remove gpu-node-1                      # revokes certificate node-gpu-node-1, deletes the node
  claw node token create --ttl 1h --uses 1         # prints the token once, with the join command
  claw node token list
  claw node token delete abcd1234`;

/** Examples of the agent's commands, shown when the entry point added them. */
const AGENT_EXAMPLES: Record<string, string> = {
  join: "  claw node join --token clbt_… --gateway https://gateway.example.com:8080   # on the new node",
  run: "  claw node run                                    # on the node: the agent, a session to a gateway",
};

export function addNodeCommand(program: Command, session: CliSession): void {
  const ctx: NodeCommandContext = {
    session,
    nodes: async () => new NodesApi(await session.client(), session.deps.signal),
    pki: async () => {
      const config = await session.config();
      return new PkiApi({
        client: await session.client(),
        server: config.server,
        tls: config.tls,
        userAgent: `claw/${session.deps.version ?? "cli"}`,
        ...(session.deps.signal ? { signal: session.deps.signal } : {}),
      });
    },
  };
  const node = program.command("node").description("GPU nodes: list, info, mesh, cordon, remove, and bootstrap tokens for joining");
  addNodeListCommand(node, ctx);
  addNodeInfoCommand(node, ctx);
  addNodeMeshCommand(node, ctx);
  addNodeCordonCommands(node, ctx);
  addNodeRemoveCommand(node, ctx);
  addNodeTokenCommands(node, ctx);
  session.deps.nodeAgentCommands?.(node);

  const added = new Set(node.commands.map((c) => c.name()));
  const agent = Object.keys(AGENT_EXAMPLES).filter((name) => added.has(name));
  const agentText = agent.length ? `\n\nOn a node (the agent):\n${agent.map((name) => AGENT_EXAMPLES[name]).join("\n")}` : "";
  node.addHelpText("after", `\nExamples:${EXAMPLES}${agentText}\n`);
}
