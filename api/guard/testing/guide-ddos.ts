// The guide's "DDoS Protection" blocks, pasted verbatim: the Configuration block, then Geographic Blocking.

export const GUIDE_DDOS_BLOCK = `# gateway.toml
[ddos]
enabled = true

# Connection limits
[ddos.connection]
max_per_ip = 100
max_total = 10000
slow_loris_timeout_secs = 30

# Rate limiting
[ddos.rate_limit]
requests_per_second = 100
burst_size = 200

# Compute cost limiting (expensive operations)
[ddos.compute]
max_cost_per_minute = 1000

# Bandwidth limiting
[ddos.bandwidth]
max_bytes_per_second = 10485760  # 10 MB/s

# Blocklist
[ddos.blocklist]
enabled = true
auto_block_threshold = 5  # violations before auto-block
block_duration_secs = 3600

# Reputation tracking
[ddos.reputation]
enabled = true
decay_rate = 0.1  # per minute
threshold = -10   # block below this score

`;

export const GUIDE_GEO_BLOCK = `# gateway.toml
[ddos.geo]
enabled = true
mode = "allowlist"  # or "blocklist"
countries = ["US", "CA", "GB", "DE"]  # Allowed countries
`;
