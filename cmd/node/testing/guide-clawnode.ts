// The security guide's three clawnode.toml blocks, pasted verbatim, comments included, so
// every test of the node agent's config reads exactly what an operator copies. The guide's "Firewall Rules"
// chapter has iptables commands for the gateway, no clawnode.toml block; [network.firewall] is claw's own.

/** The mTLS chapter's "Configure mTLS" **Node:** block. */
export const GUIDE_NODE_TLS_BLOCK = `# clawnode.toml
[tls]
cert = "/etc/clawbernetes/pki/node.crt"
key = "/etc/clawbernetes/pki/node.key"
ca = "/etc/clawbernetes/pki/ca.crt"
`;

/** "Network Security" > "WireGuard Mesh". */
export const GUIDE_WIREGUARD_BLOCK = `# clawnode.toml
[network]
provider = "wireguard"

[network.wireguard]
listen_port = 51820
endpoint = "node1.example.com:51820"
# Private key auto-generated on first run
# Or specify existing:
# private_key_path = "/etc/clawbernetes/wg-private.key"

# Allowed peer subnets
allowed_ips = ["10.100.0.0/16"]

# Persistent keepalive (for NAT traversal)
persistent_keepalive = 25
`;

/** "Network Security" > "Tailscale Mesh". */
export const GUIDE_TAILSCALE_BLOCK = `# clawnode.toml
[network]
provider = "tailscale"

[network.tailscale]
auth_key_env = "TS_AUTHKEY"
hostname_prefix = "clawnode"
tags = ["tag:clawbernetes"]

# ACL recommendations (set in Tailscale admin console):
# - Allow clawbernetes nodes to communicate
# - Restrict gateway to specific ports
`;
