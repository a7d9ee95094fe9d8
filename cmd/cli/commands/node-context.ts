// What every `claw node` command gets (node-command.ts builds it; each command file takes it), and the names
// and small rules they share.

import { isNotFound } from "../../../api/machinery/errors.js";
import { GROUP, VERSION } from "../../../api/machinery/meta.js";
import { kind, plural, type Node } from "../../../api/types/node.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { ExitCode } from "../exit-codes.js";
import type { ResolvedKind } from "../kind-resolver.js";
import type { NodesApi } from "../nodes-api.js";
import type { PkiApi } from "../pki-api.js";

export interface NodeCommandContext {
  session: CliSession;
  /** The bootstrap-token endpoints, over the session's client. */
  nodes(): Promise<NodesApi>;
  /** The PKI's revoke endpoint, over the session's client. */
  pki(): Promise<PkiApi>;
}

/** The resource the commands read and write. */
export const NODES = plural;
/** The field manager of every write, as `claw apply` and `claw secrets` use. */
export const FIELD_MANAGER = "claw";
/** The kind as the printers name it, without asking discovery (the CRD is crds/nodes.security.clawbernetes.com.yaml). */
export const NODE_KIND: ResolvedKind = { group: GROUP, version: VERSION, kind, plural, singular: "node", shortNames: ["no"] };
/** What a table shows for a value the node has not reported. */
export const UNKNOWN = "-";

/** The node, or a not-found that says where the names are (exit 6). */
export async function getNode(session: CliSession, name: string): Promise<Node> {
  try {
    return await (await session.client()).get<Node>(NODES, name, { signal: session.deps.signal });
  } catch (err) {
    throw isNotFound(err) ? nodeNotFound(session, name) : err;
  }
}

/** Reports a missing node with the hint and returns the failure to throw. */
export function nodeNotFound(session: CliSession, name: string): ReportedFailure {
  session.err(`error: there is no node "${name}"; 'claw node list' shows the nodes there are`);
  return new ReportedFailure(ExitCode.NotFound);
}

/** `-o FORMAT`, one of `allowed`, or undefined for the table. */
export function parseOutput<F extends string>(text: string | undefined, allowed: readonly F[]): F | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`unknown output format "${text}"; use one of ${allowed.join(", ")}`);
  return text as F;
}
