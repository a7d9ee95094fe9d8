#!/bin/sh
# The gateway's firewall from `claw security firewall`: the guide's Firewall Rules and the active BlockRules.
# Each ruleset replaces its filter table (other rules in it, Docker's say, are removed). Load with: sh FILE
set -e

# IPv4
iptables-restore <<'EOF'
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 9443 -m comment --comment "claw API and WebSocket (nodes and CLI)" -j ACCEPT
-A INPUT -m comment --comment "drop everything else" -j DROP
COMMIT
EOF

# IPv6
ip6tables-restore <<'EOF'
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type destination-unreachable -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type packet-too-big -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type time-exceeded -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type parameter-problem -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type router-advertisement -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -j ACCEPT
-A INPUT -p tcp -m tcp --dport 9443 -m comment --comment "claw API and WebSocket (nodes and CLI)" -j ACCEPT
-A INPUT -m comment --comment "drop everything else" -j DROP
COMMIT
EOF
