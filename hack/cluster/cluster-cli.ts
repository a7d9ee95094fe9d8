// hack/cluster-up and hack/cluster-down: a three-member etcd and three claw servers on loopback, in
// ${CLAW_CLUSTER_DIR:-/tmp/claw-cluster}, running until cluster-down stops them and removes the dir.

import { join } from "node:path";
import { downCluster, LocalCluster } from "./cluster.js";

const dir = process.env.CLAW_CLUSTER_DIR || "/tmp/claw-cluster";

async function up(): Promise<void> {
  const cluster = await LocalCluster.start({ dir, detached: true });
  const urls = cluster.urls();
  console.log(`etcd members: ${cluster.etcd.endpoints().join(" ")}`);
  urls.forEach((url, i) => console.log(`claw server ${i}: ${url} (context claw-${i}, log ${cluster.servers.logFile(i)})`));
  console.log(`every server serves under one CA: ${join(dir, "ca.crt")}`);
  console.log(`client config: ${cluster.kubeconfigPath} (context claw is server 0; --context claw-N picks another)`);
  console.log(`  export CLAW_CONFIG=${cluster.kubeconfigPath}   # or KUBECONFIG, for kubectl`);
  console.log(`stop it with hack/cluster-down`);
}

async function down(): Promise<void> {
  const { stopped } = await downCluster(dir);
  console.log(`stopped ${stopped} processes and removed ${dir}`);
}

const verb = process.argv[2];
const run = verb === "up" ? up : verb === "down" ? down : undefined;
if (!run) {
  console.error("usage: cluster-cli up|down (CLAW_CLUSTER_DIR names the cluster dir, default /tmp/claw-cluster)");
  process.exitCode = 2;
} else {
  run().catch((err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
