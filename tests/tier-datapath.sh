#!/bin/bash
# Datapath tier: a ruleset loaded by the real nft into a scratch netns is
# compiled by bnft-kload into eBPF and attached in a receiver netns; real
# packets from a peer netns over a veth pair must be accepted or dropped as
# nf_tables would, counters must count them, detach must restore traffic.
# Ends with "datapath: N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/.."
TIER=datapath
KLOAD=${BNFT_KLOAD:-$(pwd)/build/tests/bnft-kload}
P=0 F=0 S=0

finish() {
	echo "$TIER: $P passed, $F failed, $S skipped"
	exit 0
}
ok() { P=$((P + 1)); echo "PASS $*"; }
ko() { F=$((F + 1)); echo "FAIL $*"; }

if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null || ! command -v python3 >/dev/null ||
	! ip netns list >/dev/null 2>&1; then
	echo "SKIP: needs root, nft, ip netns and python3"
	S=1
	finish
fi
if [ ! -x "$KLOAD" ]; then
	echo "SKIP: $KLOAD not built"
	S=1
	finish
fi

ID=$$
SRC=bnft-dp-src-$ID RCV=bnft-dp-rcv-$ID PEER=bnft-dp-peer-$ID
PIN=/run/bnft-test-dp-$ID
WORK=$(mktemp -d)
cleanup() {
	ip netns exec "$RCV" "$KLOAD" --detach --pin-root "$PIN" >/dev/null 2>&1
	for ns in "$SRC" "$RCV" "$PEER"; do ip netns del "$ns" 2>/dev/null; done
	if mountpoint -q "$PIN" 2>/dev/null; then umount "$PIN"; fi
	# the daemon's state files of the pin roots under it (.nft, .lock, ...)
	rm -f /run/bnft-state/"$(echo "$PIN" | tr / _)"[._]* 2>/dev/null
	rmdir "$PIN" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup() {
	ip netns add "$SRC" && ip netns add "$RCV" && ip netns add "$PEER" || return 1
	ip link add ve-p netns "$PEER" type veth peer name ve-r netns "$RCV" || return 1
	ip -n "$PEER" addr add 192.168.77.1/24 dev ve-p
	ip -n "$PEER" addr add 10.1.1.1/32 dev ve-p
	ip -n "$PEER" addr add fd00:77::1/64 dev ve-p nodad
	ip -n "$RCV" addr add 192.168.77.2/24 dev ve-r
	ip -n "$RCV" addr add fd00:77::2/64 dev ve-r nodad
	for ns in "$PEER" "$RCV"; do ip -n "$ns" link set lo up; done
	ip -n "$PEER" link set ve-p up && ip -n "$RCV" link set ve-r up || return 1
	ip -n "$RCV" route add 10.0.0.0/8 dev ve-r
	# The pin root lives in the host mount namespace: it outlives every
	# `ip netns exec` below (see DESIGN.md).
	mkdir -p "$PIN" && mount -t bpf bpf "$PIN"
}
if ! setup; then
	ko "setup of namespaces, veth and bpffs"
	finish
fi

# probe PROTO DST PORT [SRC]: prints pass or drop (TCP RST, UDP port
# unreachable and ICMP echo reply count as "the packet got through").
cat >"$WORK/probe.py" <<'PY'
import socket, sys, struct, time
proto, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
src = sys.argv[4] if len(sys.argv) > 4 else None
T = 0.4
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
def res(ok):
    print("pass" if ok else "drop")
    sys.exit(0)
if proto == "tcpx":
    # open / refused / timeout: tells accept, reject (RST) and drop apart
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(T)
    try:
        s.connect((dst, port))
        print("open")
    except ConnectionRefusedError:
        print("refused")
    except (socket.timeout, OSError):
        print("timeout")
    sys.exit(0)
if proto in ("tcp", "udp"):
    s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    s.settimeout(T)
    try:
        s.connect((dst, port))
        if proto == "udp":
            s.send(b"x")
            s.recv(10)
        res(True)
    except ConnectionRefusedError:
        res(True)
    except (socket.timeout, OSError):
        res(False)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    if src:
        s.bind((src, 0))
    s.settimeout(T)
    h = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"bnft"
    c = sum(struct.unpack("!6H", h))
    c = (c >> 16) + (c & 0xffff)
    c = ~(c + (c >> 16)) & 0xffff
    s.sendto(h[:2] + struct.pack("!H", c) + h[4:], (dst, 0))
    end = time.time() + T
    while time.time() < end:
        try:
            d, a = s.recvfrom(200)
        except (socket.timeout, OSError):
            break
        if a[0] == dst and d[20] == 0:
            res(True)
    res(False)
PY

probe() { # expect proto dst port [src]
	local want=$1 got
	shift
	got=$(timeout 5 ip netns exec "$PEER" python3 "$WORK/probe.py" "$@" 2>&1)
	if [ "$got" = "$want" ]; then ok "$* -> $want"; else ko "$* -> $got, want $want"; fi
}

kload() { ip netns exec "$RCV" "$KLOAD" --pin-root "$PIN" "$@"; }

load_ruleset() { # file
	ip netns exec "$SRC" nft flush ruleset && ip netns exec "$SRC" nft -f "$1" &&
		kload --from-netns "$SRC" --stats
}

# --- 1. baseline: nothing attached, everything gets through -----------------
probe pass tcp 192.168.77.2 23
probe pass tcp 192.168.77.2 22 10.1.1.1

# --- 2. a typical server input ruleset ------------------------------------------
cat >"$WORK/server.nft" <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		iif lo accept
		tcp dport { 22, 80, 443 } counter accept
		ip saddr 10.0.0.0/8 counter drop
		meta l4proto { icmp, ipv6-icmp } counter accept
		udp dport 1000-2000 counter accept
	}
}
NFT
if load_ruleset "$WORK/server.nft"; then
	ok "server ruleset compiled, loaded and attached"
else
	ko "server ruleset load"
	finish
fi
probe pass tcp 192.168.77.2 22
probe pass tcp 192.168.77.2 80
probe pass tcp 192.168.77.2 443
probe drop tcp 192.168.77.2 23
probe pass tcp 192.168.77.2 22 10.1.1.1
probe drop tcp 192.168.77.2 8080 10.1.1.1
probe pass udp 192.168.77.2 1500
probe drop udp 192.168.77.2 2500
probe pass icmp 192.168.77.2 0
probe drop icmp 192.168.77.2 0 10.1.1.1
probe pass tcp fd00:77::2 443
probe drop tcp fd00:77::2 25
probe pass udp fd00:77::2 1000

# Counters, read from the pins by a separate `ip netns exec`: the ssh/http
# rule saw exactly the 5 accepted SYNs (one each, RST comes back at once).
kload --counters >"$WORK/ctr" 2>&1
cat "$WORK/ctr"
read -r _ _ _ _ pk by _ < <(grep '^inet filter input 1 ' "$WORK/ctr")
if [ "${pk:-x}" = 5 ] && [ "${by:-x}" -gt 0 ]; then
	ok "counter of 'tcp dport {22,80,443}': $pk packets $by bytes"
else
	ko "counter of 'tcp dport {22,80,443}': got '${pk:-none}', want 5"
fi
read -r _ _ _ _ pk _ < <(grep '^inet filter input 2 ' "$WORK/ctr")
if [ "${pk:-0}" -ge 2 ]; then
	ok "counter of 'ip saddr 10.0.0.0/8 drop': $pk packets"
else
	ko "counter of 'ip saddr 10.0.0.0/8 drop': got '${pk:-none}', want >= 2"
fi

# --- 3. non-linear skbs: trafgen's frames carry only the MAC header linear ---
if command -v trafgen >/dev/null; then
	mac=$(ip -n "$RCV" -br link show ve-r | awk '{print $3}')
	snmp_noports() {
		ip netns exec "$RCV" awk '/^Udp:/ { if (h) { print $3; exit } h = 1 }' /proc/net/snmp
	}
	tg() { # dport count
		local m
		m=$(echo "$mac" | sed 's/^/0x/; s/:/, 0x/g')
		cat >"$WORK/tg.cfg" <<TG
{ $m, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
  0x45, 0x00, const16(28), 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, csumip(14, 33),
  192, 168, 77, 1, 192, 168, 77, 2,
  const16(40000), const16($1), const16(8), 0x00, 0x00 }
TG
		timeout 10 ip netns exec "$PEER" trafgen -i ve-p -o ve-p -c "$WORK/tg.cfg" -n "$2" -q >/dev/null 2>&1
	}
	b=$(snmp_noports); tg 1500 20; sleep 0.3; a=$(snmp_noports)
	if [ $((a - b)) -eq 20 ]; then
		ok "trafgen (non-linear) udp 1500: 20 of 20 reached the stack"
	else
		ko "trafgen (non-linear) udp 1500: $((a - b)) of 20 reached the stack"
	fi
	b=$(snmp_noports); tg 2500 20; sleep 0.3; a=$(snmp_noports)
	if [ $((a - b)) -eq 0 ]; then
		ok "trafgen (non-linear) udp 2500: all 20 dropped"
	else
		ko "trafgen (non-linear) udp 2500: $((a - b)) of 20 got through"
	fi
else
	echo "SKIP trafgen not installed: non-linear skbs untested"
	S=$((S + 1))
fi

# --- 4. swap to another ruleset: new rules live, old ones gone ---------------------
cat >"$WORK/swap.nft" <<'NFT'
table ip filter {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 drop
	}
}
NFT
if load_ruleset "$WORK/swap.nft"; then ok "swap ruleset loaded"; else ko "swap ruleset load"; fi
probe drop tcp 192.168.77.2 22
probe pass tcp 192.168.77.2 23
probe pass tcp fd00:77::2 22

# --- 5. conntrack and reject -------------------------------------------------------
cat >"$WORK/ct.nft" <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		ct state invalid counter drop
		tcp dport 2525 reject with tcp reset
		tcp dport 22 accept
	}
}
NFT
# listeners: 2525 on the receiver, 8000 on the peer (bounded lifetime)
timeout 30 ip netns exec "$RCV" python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 2525)); s.listen(8); time.sleep(30)' &
L1=$!
timeout 30 ip netns exec "$PEER" python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8000)); s.listen(8); time.sleep(30)' &
L2=$!
sleep 0.5
got=$(timeout 5 ip netns exec "$PEER" python3 "$WORK/probe.py" tcpx 192.168.77.2 2525)
[ "$got" = open ] && ok "listener 2525 reachable without rules" || ko "listener 2525 without rules: $got"
if load_ruleset "$WORK/ct.nft"; then ok "conntrack ruleset loaded"; else ko "conntrack ruleset load"; fi
got=$(timeout 5 ip netns exec "$PEER" python3 "$WORK/probe.py" tcpx 192.168.77.2 2525)
[ "$got" = refused ] && ok "reject with tcp reset: refused at once" || ko "reject: $got, want refused"
# outgoing connection: its SYN-ACK comes back only as an established flow
got=$(timeout 5 ip netns exec "$RCV" python3 "$WORK/probe.py" tcpx 192.168.77.1 8000)
[ "$got" = open ] && ok "outgoing connection established through policy drop" ||
	ko "outgoing connection: $got, want open"
probe pass tcp 192.168.77.2 22
probe drop tcp 192.168.77.2 23
kill "$L1" "$L2" 2>/dev/null
wait "$L1" "$L2" 2>/dev/null

# --- 6. detach restores plain forwarding of everything ----------------------------
if kload --detach; then ok "detach"; else ko "detach"; fi
probe pass tcp 192.168.77.2 22
# bpffs itself provides maps.debug/progs.debug; anything else is ours, except
# conntrack state, which outlives the ruleset like the kernel's (flush keeps
# ct, ct_pkt, ct_cfg, ct_stats, reject_cfg, reject_peers: bpf/CT.md).
left=$(ls -A "$PIN" 2>/dev/null | grep -v '\.debug$' |
	grep -vxE 'ct|ct_pkt|ct_cfg|ct_stats|reject_cfg|reject_peers')
if [ -z "$left" ]; then ok "pins removed (conntrack kept)"; else ko "pins left: $left"; fi

finish
