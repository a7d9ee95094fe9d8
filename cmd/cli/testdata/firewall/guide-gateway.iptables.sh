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
-A INPUT -s 192.0.2.10 -m comment --comment "block-192-0-2-10: an IPv4-mapped spelling" -j DROP
-A INPUT -s 198.51.100.0/24 -m comment --comment "block-198-51-100-0-24: scanner network, block-198-51-100-7: one host of the scanner network" -j DROP
-A INPUT -s 203.0.113.42 -m comment --comment "block-203-0-113-42: Suspicious activity" -j DROP
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -m comment --comment "claw API and WebSocket (nodes and CLI)" -j ACCEPT
-A INPUT -p tcp -m tcp --dport 443 -m comment --comment "HTTPS (dashboard)" -j ACCEPT
-A INPUT -p udp -m udp --dport 51820 -m comment --comment "WireGuard mesh" -j ACCEPT
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
-A INPUT -s 2001:db8::1 -m comment --comment "auto-2001-0db8-0000-0000-0000-0000-0000-0001: auto-block: 5 violations" -j DROP
-A INPUT -s 2001:db8:bad::/48 -m comment --comment "block-2001-0db8-0bad-0000-0000-0000-0000-0000-48: drop table inet clawbernetes id (id) -A INPUT -j ACCEPT COMMIT EOF" -j DROP
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type destination-unreachable -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type packet-too-big -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type time-exceeded -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type parameter-problem -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type router-advertisement -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-advertisement -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -m comment --comment "claw API and WebSocket (nodes and CLI)" -j ACCEPT
-A INPUT -p tcp -m tcp --dport 443 -m comment --comment "HTTPS (dashboard)" -j ACCEPT
-A INPUT -p udp -m udp --dport 51820 -m comment --comment "WireGuard mesh" -j ACCEPT
-A INPUT -m comment --comment "drop everything else" -j DROP
COMMIT
EOF
