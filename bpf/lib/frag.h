/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fragment reassembly emulation: the contract between the code generator
 * (translator/codegen_frag.c, which emits the code that uses these maps)
 * and the loader (which creates them from the program set's map specs like
 * set maps). Included from user space and BPF C: plain types only.
 *
 * Where the kernel's chains see a datagram reassembled, bnft at TC sees its
 * fragments: IPv4 input chains (ip_local_deliver() reassembles before
 * LOCAL_IN); with a ct expression every chain after prerouting priority
 * -400, IPv4 and IPv6 (nf_defrag); output and postrouting chains for what
 * the local stack fragments after them (ip_fragment()). Those chains judge
 * and count a datagram once, when its last missing fragment arrives (or,
 * output, before it is cut), with the reassembled length (skb->len from
 * the network header: the first fragment's header, IPv6 without the
 * fragment header, plus all the data). At a "reassembly point" (before the
 * first such chain) generated code keeps one state per datagram in an LRU
 * hash keyed like the kernel's queues (IPv4 saddr, daddr, id, protocol;
 * IPv6 saddr, daddr, id):
 *
 *   - every fragment adds its data length to `got`; the one without MF
 *     sets `end` (offset + data length);
 *   - the first fragment (offset 0) runs through the chains; its counters
 *     are not bumped but recorded (rule ids, up to BNFT_FRAG_MAX_CTRS); at
 *     the program's exit (or before the netdev egress chains) the verdict
 *     and the recorded ids are stored in the state;
 *   - later fragments are not judged: they take the stored verdict (drop
 *     is dropped, anything else passes to the stack's own reassembly; at
 *     egress they skip output/postrouting and meet the netdev chains);
 *   - when first and last are in and got == end, the datagram is complete:
 *     every recorded counter gets one packet and hdrlen + end bytes, and
 *     the state is deleted (the kernel frees its queue), whichever fragment
 *     came last;
 *   - got > end: overlapping fragments, the kernel discards the queue
 *     (RFC 5722, inet_frag_queue_insert), so nothing is counted and the
 *     state is deleted (later fragments start a new one, as in the
 *     kernel); a second first fragment, or a later one equal in offset
 *     and length to one of the first BNFT_FRAG_SEEN later ones, is a
 *     duplicate and is dropped, as the kernel does (it also drops a
 *     fragment that lies inside a run of contiguous ones without being
 *     equal to one: bnft sees an overlap there);
 *   - a state older than BNFT_FRAG_TIMEOUT_NS (ipfrag_time, 30 s) starts
 *     over, like an expired queue;
 *   - at egress a dropped fragment is consumed (TC_ACT_STOLEN): a driver
 *     error would stop ip_fragment() before the rest is counted.
 * The header copy the chains read shows the reassembled datagram where it
 * is known: IPv4 frag_off without MF/offset, IPv6 next header without the
 * fragment header, and the total length when the datagram is complete
 * already (else the first fragment's: `ip length`, `meta length` and the
 * IPv4 checksum of a datagram judged before its last fragment are the
 * first fragment's).
 */
#ifndef BNFT_BPF_FRAG_H
#define BNFT_BPF_FRAG_H

#include <linux/types.h>

#define BNFT_FRAG_MAX_CTRS 8
#define BNFT_FRAG_SEEN 4
#define BNFT_FRAG_ENTRIES 8192
#define BNFT_FRAG_TIMEOUT_NS (30ULL * 1000000000ULL)

/* cb[1] flag (bits 16-23 are BNFT_PF_*): this packet is a first fragment
 * being judged by chains that see the reassembled datagram; counters record
 * instead of counting. Set by generated code at the reassembly point. */
#define BNFT_PF_DEFRAG 0x80
/* cb[1] flag: a later fragment at egress, its datagram judged by the
 * output/postrouting chains already: those chains are skipped. */
#define BNFT_PF_FRAGSKIP 0x20

/* Key: IPv4 addresses in addr[0] / addr[4] (words 1-3 and 5-7 zero). */
struct bnft_frag_key {
	__u32 saddr[4];
	__u32 daddr[4];
	__u32 id;
	__u8 proto;
	__u8 family;	/* 4 or 6 */
	__u16 pad;
};

#define BNFT_FRAG_F_FIRST 0x01	/* the fragment at offset 0 was seen */
#define BNFT_FRAG_F_LAST 0x02	/* the fragment without MF was seen */
#define BNFT_FRAG_F_DEAD 0x04	/* (unused: an overlap deletes the state) */
#define BNFT_FRAG_F_COMPLETE 0x08 /* (per-CPU copy) complete when judged */

#define BNFT_FRAG_V_UNKNOWN 0
#define BNFT_FRAG_V_ACCEPT 1
#define BNFT_FRAG_V_DROP 2

/* Value of the LRU hash (BPF_MAP_TYPE_LRU_HASH, key bnft_frag_key). */
struct bnft_frag_state {
	__u64 ts;	/* bpf_ktime_get_ns() when the queue was created */
	__u32 got;	/* data bytes seen */
	__u32 end;	/* data length of the datagram, once the last is in */
	__u32 hdrlen;	/* the first fragment's header length */
	__u8 flags;	/* BNFT_FRAG_F_* */
	__u8 verdict;	/* BNFT_FRAG_V_* */
	__u8 n;		/* recorded counters */
	__u8 nh;	/* (per-CPU copy) IPv6: the fragment header's next header */
	/* later fragments seen, offset << 16 | data length: an exact
	 * duplicate is dropped by the kernel and the queue kept */
	__u32 seen[BNFT_FRAG_SEEN];
	__u32 ids[BNFT_FRAG_MAX_CTRS];	/* counter ids (rule ids) */
};

/* Per-CPU scratch (PERCPU_ARRAY, one entry): the key of the datagram whose
 * first fragment is being judged, and the counters it has hit so far (a
 * TC program runs to its end on one CPU, tail calls included). st.end
 * holds the datagram length when it was already complete (F_COMPLETE). */
struct bnft_frag_cur {
	struct bnft_frag_key key;
	struct bnft_frag_state st;
};

#define BNFT_FRAG_KEY_SIZE 40
#define BNFT_FRAG_STATE_SIZE 72

#endif
