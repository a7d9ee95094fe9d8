// Joining and renewing by CSR: the agent makes its key pair locally and sends only a CSR, so the private key
// never leaves the node. Joining takes a bootstrap token (one use spent); renewing takes the node's own
// certificate, and the CSR must name that node — a node can never obtain a certificate for another.

import { ApiError, badRequest, isNotFound, serviceUnavailable, unauthorized } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { UserInfo } from "../server/admission.js";
import { sendJson } from "../server/http-io.js";
import type { CsrSigner, SignedCsr } from "../server/module.js";
import { sourceIpOf, type RequestContext } from "../server/request-context.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Certificate } from "../types/certificate.js";
import { nodeCertificateName, type NodeCredentials } from "../types/nodes-api.js";
import { NODE_ORGANIZATION } from "../types/pki-api.js";
import type { BootstrapTokens } from "./bootstrap-tokens.js";
import type { NodeStatusWriter } from "./node-status.js";
import { jsonObject, text } from "./node-requests.js";
import { ownNode } from "./session-endpoints.js";

export interface JoinDeps {
  tokens: BootstrapTokens;
  status: NodeStatusWriter;
  signer: CsrSigner | undefined;
  resources: () => ResourceService;
  certificates: ResourceInfo;
  clock: { now(): number };
}

const NODE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_CSR_CHARS = 16 * 1024;

export async function joinEndpoint(ctx: RequestContext, deps: JoinDeps): Promise<void> {
  const header = ctx.req.headers.authorization ?? "";
  const token = /^Bearer (clbt_\S+)$/.exec(header)?.[1];
  ctx.auditAs = { type: "security.violation", actor: "anonymous", resource: { group: GROUP, kind: "Node" }, details: { endpoint: "join" } };
  if (!token) throw unauthorized("Unauthorized: joining needs a bootstrap token: Authorization: Bearer clbt_… (claw node join --token does this; an admin creates one with `claw node token create`)");
  const body = await jsonObject(ctx, ["node", "csr"]);
  const node = text(body, "node", 63)!;
  if (!NODE_NAME.test(node)) throw badRequest(`node must be a DNS label such as gpu-node-1 (lower-case letters, digits and '-'), not ${JSON.stringify(node)}`);
  const csr = text(body, "csr", MAX_CSR_CHARS)!;
  const spent = await deps.tokens.spend(token, node);
  const user: UserInfo = { name: `system:bootstrap:${spent.id}`, groups: ["system:bootstrappers"] };
  ctx.auditAs = { ...ctx.auditAs, actor: user.name, resource: { group: GROUP, kind: "Node", name: node } };
  await clearForJoin(deps, node, spent.node === node);
  const sourceIp = sourceIpOf(ctx);
  const registered = await deps.status.ensure(node, user, sourceIp);
  if (registered.metadata.deletionTimestamp) throw new ApiError(409, "Conflict", `node ${node} is being removed; wait until it is gone and join again`, { group: GROUP, kind: "Node", name: node });
  const signed = await sign(deps, { node, csr, user, ...(sourceIp ? { sourceIp } : {}) });
  sendJson(ctx.res, 201, credentials(node, signed), { "Cache-Control": "no-store" });
}

export async function csrEndpoint(ctx: RequestContext, deps: JoinDeps): Promise<void> {
  const { name, user } = ownNode(ctx);
  const csr = text(await jsonObject(ctx, ["csr"]), "csr", MAX_CSR_CHARS)!;
  const sourceIp = sourceIpOf(ctx);
  const signed = await sign(deps, { node: name, csr, user, ...(sourceIp ? { sourceIp } : {}) });
  sendJson(ctx.res, 201, credentials(name, signed), { "Cache-Control": "no-store" });
}

/**
 * A token not bound to the node cannot take over a node that holds a valid certificate: that needs a token
 * made for it (claw node token create --node NAME) or the node removed first. A revoked certificate of the
 * name is deleted so the node starts afresh (its serials stay on the CRL).
 */
async function clearForJoin(deps: JoinDeps, node: string, boundToNode: boolean): Promise<void> {
  const name = nodeCertificateName(node);
  let cert: Certificate;
  try {
    cert = (await deps.resources().get(deps.certificates, name)) as Certificate;
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  if (cert.spec?.revoked) {
    await deps.resources().delete(deps.certificates, name, { dryRun: false, preconditions: { ...(cert.metadata.uid ? { uid: cert.metadata.uid } : {}) } }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    return;
  }
  const valid = Date.parse(cert.status?.notAfter ?? "") > deps.clock.now();
  if (valid && !boundToNode)
    throw new ApiError(
      409,
      "Conflict",
      `node ${node} already holds a valid certificate (${name}); a token made for any node cannot take it over. Remove the node first (claw node remove ${node}) or create a token for it (claw node token create --node ${node})`,
      { group: GROUP, kind: "Node", name: node },
    );
}

async function sign(deps: JoinDeps, request: { node: string; csr: string; user: UserInfo; sourceIp?: string }): Promise<SignedCsr> {
  if (!deps.signer) throw serviceUnavailable("this server has no PKI module, so it cannot sign node certificates");
  return deps.signer.sign({
    certificateName: nodeCertificateName(request.node),
    commonName: request.node,
    organizations: [NODE_ORGANIZATION],
    csrPem: request.csr,
    user: request.user,
    ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
  });
}

const credentials = (node: string, signed: SignedCsr): NodeCredentials => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "NodeCredentials",
  node,
  certificateName: signed.certificateName,
  serialNumber: signed.serialNumber,
  notAfter: signed.notAfter,
  renewalTime: signed.renewalTime,
  certificate: signed.certificatePem,
  chain: signed.chainPem,
  ca: signed.caPem,
});
