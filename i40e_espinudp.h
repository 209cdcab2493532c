/* SPDX-License-Identifier: GPL-2.0 */
/*
 * i40e-espinudp core: classify NAT-T (ESP-in-UDP) frames, compute the
 * Toeplitz hash the NIC should have computed (IPs, ports and SPI) with the
 * device's own key, and pick the RX queue from the device's LUT.
 *
 * The core knows nothing of skbs, locks or allocation.  The same source
 * builds into the kernel module and into userspace (tools, tests, fuzzing,
 * bench) through the tiny shim in espinudp_types.h.
 */
#ifndef _I40E_ESPINUDP_H_
#define _I40E_ESPINUDP_H_

#include "espinudp_types.h"

/* Device facts (X722): 40 standard + 12 extended key bytes, 512 LUT slots */
#define ESPINUDP_KEY_LEN	52
#define ESPINUDP_KEY_LEN_STD	40
#define ESPINUDP_LUT_MAX	512
#define ESPINUDP_MAX_PORTS	8
#define ESPINUDP_DEFAULT_PORT	4500

/* Longest hash input: IPv6 src + dst (32) + ports (4) + SPI (4) */
#define ESPINUDP_TUPLE_MAX	40
/* Table positions: every input byte the 52-byte key can hash (52 - 4) */
#define ESPINUDP_TBL_BYTES	(ESPINUDP_KEY_LEN - 4)

enum espinudp_class {
	ESPINUDP_CLASS_OTHER = 0,	/* not IP/UDP, or port not configured */
	ESPINUDP_CLASS_MALFORMED,	/* truncated or inconsistent headers */
	ESPINUDP_CLASS_FRAGMENT,	/* IP fragment: 2-tuple hash */
	ESPINUDP_CLASS_KEEPALIVE,	/* NAT keepalive, one 0xff byte */
	ESPINUDP_CLASS_IKE,		/* RFC 3948 non-ESP marker */
	ESPINUDP_CLASS_UDP,		/* other UDP on a configured port */
	ESPINUDP_CLASS_ESP,		/* ESP: 4-tuple + SPI */
	ESPINUDP_CLASS_MAX,
};

/* Configured destination ports, host byte order, at most 8 */
struct espinudp_ports {
	u16 port[ESPINUDP_MAX_PORTS];
	u8 n;
};

/* Result of classification: class, SPI and the hash input */
struct espinudp_flow {
	u8 cls;			/* enum espinudp_class */
	u8 tuple_len;		/* bytes of tuple[] to hash, 0 for none */
	__be32 spi;		/* ESP only, else 0 */
	u8 tuple[ESPINUDP_TUPLE_MAX];	/* src, dst, sport, dport, SPI */
};

/*
 * Per-device Toeplitz tables, built once from the key:
 * tbl[i][b] is the hash contribution of byte value b at input position i.
 * 48 * 256 * 4 bytes = 48 KiB.
 */
struct espinudp_toeplitz {
	u32 tbl[ESPINUDP_TBL_BYTES][256];
};

/*
 * Classification rules, checked in this order (all lengths against @len;
 * no byte at or past @len is ever read):
 * - Ethernet header (14 bytes), then up to two inline 802.1Q/802.1ad tags;
 *   a third tag, or a truncated one, is MALFORMED.
 * - EtherType neither IPv4 nor IPv6: OTHER.
 * - IPv4: version 4, IHL >= 5, IHL * 4 <= total length <= bytes left
 *   (trailing Ethernet padding allowed), else MALFORMED.  MF or a non-zero
 *   offset: FRAGMENT (whatever the protocol, as the NIC's fragment hash;
 *   the ports of a non-first fragment are unknown).
 * - IPv6: version 6, 40 + payload length <= bytes left, else MALFORMED.
 *   Hop-by-hop, routing, destination-options and fragment headers are
 *   walked, at most 8 (a 9th is MALFORMED), each inside the payload.  A
 *   fragment header with a non-zero offset or M=1: FRAGMENT.
 * - Protocol not UDP: OTHER.  UDP header not inside the IP payload:
 *   MALFORMED.  dport not in @ports: OTHER.  UDP length < 8 or past the
 *   IP payload: MALFORMED.
 * - UDP payload (UDP length - 8): one 0xff byte: KEEPALIVE; >= 4 bytes
 *   starting with 4 zero bytes: IKE; >= 8 bytes starting with a non-zero
 *   SPI: ESP; anything else: UDP.
 * Hash input (@flow->tuple, network order): FRAGMENT src, dst; KEEPALIVE,
 * IKE, UDP src, dst, sport, dport; ESP the same + SPI; OTHER, MALFORMED
 * none (tuple_len 0).
 */

/* Classification, starting at the Ethernet header (inline VLAN tags). */
void espinudp_classify_eth(const u8 *frame, u32 len,
			   const struct espinudp_ports *ports,
			   struct espinudp_flow *flow);

/*
 * Classification starting at the network header, @proto being the
 * EtherType (network order) the stack already parsed, with any VLAN tag
 * already stripped (the kernel RX path).  ETH_P_8021Q/8021AD are walked:
 * @nh then points at the inline tag's TCI, as after eth_type_trans(); up to
 * two inline tags, as for espinudp_classify_eth().
 */
void espinudp_classify_l3(const u8 *nh, u32 len, __be16 proto,
			  const struct espinudp_ports *ports,
			  struct espinudp_flow *flow);

/*
 * The same classification for a frame that is not all contiguous (a
 * non-linear skb): @len is the length from @nh to the end of the frame
 * (skb->len), only the first @headlen bytes at @nh are read (skb_headlen()).
 * Returns 0 when @flow is set.  Otherwise a header lies past @headlen: the
 * return value is the contiguous length needed (> @headlen, <= @len);
 * pull that much (pskb_may_pull()) and call again.  The result never
 * depends on @headlen, only whether more bytes are needed does.
 */
u32 espinudp_classify_l3_partial(const u8 *nh, u32 headlen, u32 len,
				 __be16 proto,
				 const struct espinudp_ports *ports,
				 struct espinudp_flow *flow);

/*
 * Build tables from a key of @key_len bytes (52, or 40 zero-extended).
 * Returns 0 or -EINVAL for other lengths.
 */
int espinudp_toeplitz_init(struct espinudp_toeplitz *t, const u8 *key,
			   u32 key_len);

/*
 * Table-driven Toeplitz over @len <= ESPINUDP_TBL_BYTES bytes (longer
 * input is cut to that: the key has no bits for more).
 */
u32 espinudp_toeplitz(const struct espinudp_toeplitz *t, const u8 *in,
		      u32 len);

/*
 * Bit-serial reference (tests, bench), independent of the tables: @key is
 * 52 bytes (zero-extend a 40-byte key); @len is cut to ESPINUDP_TBL_BYTES.
 */
u32 espinudp_toeplitz_ref(const u8 *key, const u8 *in, u32 len);

/* Hash of a classified flow; 0 when the class has no hash input */
static inline u32 espinudp_flow_hash(const struct espinudp_toeplitz *t,
				     const struct espinudp_flow *flow)
{
	return flow->tuple_len ? espinudp_toeplitz(t, flow->tuple,
						   flow->tuple_len) : 0;
}

/* LUT pick: @lut_size is a power of two, 1..512 */
static inline u32 espinudp_queue(const u8 *lut, u32 lut_size, u32 hash)
{
	return lut[hash & (lut_size - 1)];
}

/* Port set helpers */
void espinudp_ports_default(struct espinudp_ports *ports);
bool espinudp_port_match(const struct espinudp_ports *ports, __be16 dport);

/* "esp", "ike", ... for tools, logs and ethtool strings */
const char *espinudp_class_name(unsigned int cls);

#endif /* _I40E_ESPINUDP_H_ */
