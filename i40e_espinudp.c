// SPDX-License-Identifier: GPL-2.0
/*
 * i40e-espinudp core: classification of ESP-in-UDP (RFC 3948) frames,
 * table-driven Toeplitz hash and LUT pick.
 *
 * No skb, no locks, no allocation: everything works on a byte buffer and
 * caller-provided state, so the same file builds into the kernel module and
 * into userspace (see espinudp_types.h).  Every read is bounds-checked
 * against the length the caller passes; no byte past it is ever read.
 */
#include "i40e_espinudp.h"

#define ESPINUDP_ETH_HLEN	14
#define ESPINUDP_VLAN_HLEN	4
#define ESPINUDP_MAX_VLANS	2
#define ESPINUDP_IPV4_HLEN	20
#define ESPINUDP_IPV6_HLEN	40
#define ESPINUDP_UDP_HLEN	8
#define ESPINUDP_MAX_EXTHDRS	8

#define ESPINUDP_P_IPV4		0x0800
#define ESPINUDP_P_IPV6		0x86dd
#define ESPINUDP_P_8021Q	0x8100
#define ESPINUDP_P_8021AD	0x88a8

#define ESPINUDP_IPPROTO_HOPOPTS	0
#define ESPINUDP_IPPROTO_UDP		17
#define ESPINUDP_IPPROTO_ROUTING	43
#define ESPINUDP_IPPROTO_FRAGMENT	44
#define ESPINUDP_IPPROTO_DSTOPTS	60

#define ESPINUDP_IP_MF		0x2000
#define ESPINUDP_IP_OFFSET	0x1fff
#define ESPINUDP_IP6_MF		0x0001
#define ESPINUDP_IP6_OFFSET	0xfff8

static const char * const espinudp_class_names[ESPINUDP_CLASS_MAX] = {
	[ESPINUDP_CLASS_OTHER]		= "other",
	[ESPINUDP_CLASS_MALFORMED]	= "malformed",
	[ESPINUDP_CLASS_FRAGMENT]	= "fragment",
	[ESPINUDP_CLASS_KEEPALIVE]	= "keepalive",
	[ESPINUDP_CLASS_IKE]		= "ike",
	[ESPINUDP_CLASS_UDP]		= "udp",
	[ESPINUDP_CLASS_ESP]		= "esp",
};

const char *espinudp_class_name(unsigned int cls)
{
	return cls < ESPINUDP_CLASS_MAX ? espinudp_class_names[cls] : "?";
}

void espinudp_ports_default(struct espinudp_ports *ports)
{
	memset(ports, 0, sizeof(*ports));
	ports->port[0] = ESPINUDP_DEFAULT_PORT;
	ports->n = 1;
}

bool espinudp_port_match(const struct espinudp_ports *ports, __be16 dport)
{
	u16 p = be16_to_cpu(dport);
	unsigned int i;

	for (i = 0; i < ports->n && i < ESPINUDP_MAX_PORTS; i++)
		if (ports->port[i] == p)
			return true;
	return false;
}

static void espinudp_set(struct espinudp_flow *flow, u8 cls, u8 tuple_len)
{
	flow->cls = cls;
	flow->tuple_len = tuple_len;
	flow->spi = 0;
}

/*
 * UDP on a configured port: @uh is the UDP header, @ulen its validated
 * length, @alen the address bytes already in the tuple (8 or 32).  The
 * caller made min(@ulen, 16) bytes at @uh readable.
 */
static void espinudp_udp(const u8 *uh, u32 ulen, u32 alen,
			 struct espinudp_flow *flow)
{
	const u8 *pl = uh + ESPINUDP_UDP_HLEN;
	u32 plen = ulen - ESPINUDP_UDP_HLEN;
	__be32 marker;

	/* sport, dport */
	memcpy(flow->tuple + alen, uh, 4);

	if (plen >= 4) {
		marker = espinudp_read_be32(pl);
		if (!marker) {
			espinudp_set(flow, ESPINUDP_CLASS_IKE, alen + 4);
			return;
		}
		if (plen >= 8) {
			memcpy(flow->tuple + alen + 4, pl, 4);
			flow->cls = ESPINUDP_CLASS_ESP;
			flow->tuple_len = alen + 8;
			flow->spi = marker;
			return;
		}
	} else if (plen == 1 && pl[0] == 0xff) {
		espinudp_set(flow, ESPINUDP_CLASS_KEEPALIVE, alen + 4);
		return;
	}
	espinudp_set(flow, ESPINUDP_CLASS_UDP, alen + 4);
}

/* Bytes of a UDP datagram of length @ulen that classification reads */
static u32 espinudp_udp_need(u32 ulen)
{
	/* header, then at most the marker/SPI and sequence number */
	return ulen < ESPINUDP_UDP_HLEN + 8 ? ulen : ESPINUDP_UDP_HLEN + 8;
}

/*
 * The UDP header at @off of a datagram that ends at @end; @addr and @alen
 * are the IP addresses (8 or 32 bytes) that open the hash input.  Same
 * return convention as the parsers below.
 */
static inline u32 espinudp_udp_at(const u8 *nh, u32 off, u32 end,
				  u32 avail, const u8 *addr, u32 alen,
				  const struct espinudp_ports *ports,
				  struct espinudp_flow *flow)
{
	u32 ulen, need;
	const u8 *uh;

	if (unlikely(end - off < ESPINUDP_UDP_HLEN))
		goto malformed;
	if (unlikely(avail < off + ESPINUDP_UDP_HLEN))
		return off + ESPINUDP_UDP_HLEN;
	uh = nh + off;
	if (!espinudp_port_match(ports, espinudp_read_be16(uh + 2))) {
		espinudp_set(flow, ESPINUDP_CLASS_OTHER, 0);
		return 0;
	}
	ulen = espinudp_get_be16(uh + 4);
	if (unlikely(ulen < ESPINUDP_UDP_HLEN || ulen > end - off))
		goto malformed;
	need = off + espinudp_udp_need(ulen);
	if (unlikely(avail < need))
		return need;

	memcpy(flow->tuple, addr, alen);
	espinudp_udp(uh, ulen, alen, flow);
	return 0;

malformed:
	espinudp_set(flow, ESPINUDP_CLASS_MALFORMED, 0);
	return 0;
}

/*
 * The parsers check every length against @len, the bytes the frame really
 * has, and read only below @avail (<= @len), the bytes contiguous at @nh.
 * They return 0 when @flow is set, or the contiguous length they need
 * (> @avail, <= @len).  A frame is judged on @len alone: @avail never
 * changes the result, it only asks for more bytes.
 */
static u32 espinudp_ipv4(const u8 *nh, u32 avail, u32 len,
			 const struct espinudp_ports *ports,
			 struct espinudp_flow *flow)
{
	u32 ihl, tot;

	if (unlikely(len < ESPINUDP_IPV4_HLEN))
		goto malformed;
	if (unlikely(avail < ESPINUDP_IPV4_HLEN))
		return ESPINUDP_IPV4_HLEN;
	/* version 4 and IHL >= 5: 0x45..0x4f, one compare */
	if (unlikely((u8)(nh[0] - 0x45) > 0x0a))
		goto malformed;
	ihl = (nh[0] & 0x0f) * 4;
	tot = espinudp_get_be16(nh + 2);
	/* header inside the datagram, datagram inside the frame */
	if (unlikely(tot < ihl || tot > len))
		goto malformed;

	if (unlikely(espinudp_get_be16(nh + 6) &
		     (ESPINUDP_IP_MF | ESPINUDP_IP_OFFSET))) {
		memcpy(flow->tuple, nh + 12, 8);
		espinudp_set(flow, ESPINUDP_CLASS_FRAGMENT, 8);
		return 0;
	}
	if (nh[9] != ESPINUDP_IPPROTO_UDP)
		goto other;

	return espinudp_udp_at(nh, ihl, tot, avail, nh + 12, 8, ports, flow);

other:
	espinudp_set(flow, ESPINUDP_CLASS_OTHER, 0);
	return 0;
malformed:
	espinudp_set(flow, ESPINUDP_CLASS_MALFORMED, 0);
	return 0;
}

static u32 espinudp_ipv6(const u8 *nh, u32 avail, u32 len,
			 const struct espinudp_ports *ports,
			 struct espinudp_flow *flow)
{
	u32 off = ESPINUDP_IPV6_HLEN, end, hlen;
	unsigned int nexthdr, n = 0;

	if (unlikely(len < ESPINUDP_IPV6_HLEN))
		goto malformed;
	if (unlikely(avail < ESPINUDP_IPV6_HLEN))
		return ESPINUDP_IPV6_HLEN;
	if (unlikely((nh[0] >> 4) != 6))
		goto malformed;
	end = ESPINUDP_IPV6_HLEN + espinudp_get_be16(nh + 4);
	if (unlikely(end > len))
		goto malformed;

	nexthdr = nh[6];
	while (nexthdr != ESPINUDP_IPPROTO_UDP) {
		switch (nexthdr) {
		case ESPINUDP_IPPROTO_HOPOPTS:
		case ESPINUDP_IPPROTO_ROUTING:
		case ESPINUDP_IPPROTO_DSTOPTS:
		case ESPINUDP_IPPROTO_FRAGMENT:
			break;
		default:
			goto other;
		}
		/* every one of these is at least 8 bytes */
		if (unlikely(++n > ESPINUDP_MAX_EXTHDRS || end - off < 8))
			goto malformed;
		if (unlikely(avail < off + 8))
			return off + 8;
		if (nexthdr == ESPINUDP_IPPROTO_FRAGMENT) {
			if (espinudp_get_be16(nh + off + 2) &
			    (ESPINUDP_IP6_OFFSET | ESPINUDP_IP6_MF)) {
				memcpy(flow->tuple, nh + 8, 32);
				espinudp_set(flow, ESPINUDP_CLASS_FRAGMENT, 32);
				return 0;
			}
			hlen = 8;
		} else {
			hlen = (nh[off + 1] + 1) * 8;
			if (unlikely(hlen > end - off))
				goto malformed;
		}
		nexthdr = nh[off];
		off += hlen;
	}

	return espinudp_udp_at(nh, off, end, avail, nh + 8, 32, ports, flow);

other:
	espinudp_set(flow, ESPINUDP_CLASS_OTHER, 0);
	return 0;
malformed:
	espinudp_set(flow, ESPINUDP_CLASS_MALFORMED, 0);
	return 0;
}

static u32 espinudp_classify(const u8 *nh, u32 avail, u32 len, __be16 proto,
			     const struct espinudp_ports *ports,
			     struct espinudp_flow *flow)
{
	u32 off = 0, need;
	unsigned int tags = 0;
	u16 p = be16_to_cpu(proto);

	while (unlikely(p == ESPINUDP_P_8021Q || p == ESPINUDP_P_8021AD)) {
		/* TCI, then the encapsulated EtherType */
		if (++tags > ESPINUDP_MAX_VLANS ||
		    len - off < ESPINUDP_VLAN_HLEN) {
			espinudp_set(flow, ESPINUDP_CLASS_MALFORMED, 0);
			return 0;
		}
		if (avail - off < ESPINUDP_VLAN_HLEN)
			return off + ESPINUDP_VLAN_HLEN;
		p = espinudp_get_be16(nh + off + 2);
		off += ESPINUDP_VLAN_HLEN;
	}

	if (likely(p == ESPINUDP_P_IPV4))
		need = espinudp_ipv4(nh + off, avail - off, len - off, ports,
				     flow);
	else if (p == ESPINUDP_P_IPV6)
		need = espinudp_ipv6(nh + off, avail - off, len - off, ports,
				     flow);
	else
		goto other;
	return need ? off + need : 0;

other:
	espinudp_set(flow, ESPINUDP_CLASS_OTHER, 0);
	return 0;
}

void espinudp_classify_l3(const u8 *nh, u32 len, __be16 proto,
			  const struct espinudp_ports *ports,
			  struct espinudp_flow *flow)
{
	espinudp_classify(nh, len, len, proto, ports, flow);
}

u32 espinudp_classify_l3_partial(const u8 *nh, u32 headlen, u32 len,
				 __be16 proto,
				 const struct espinudp_ports *ports,
				 struct espinudp_flow *flow)
{
	return espinudp_classify(nh, headlen < len ? headlen : len, len, proto,
				 ports, flow);
}

void espinudp_classify_eth(const u8 *frame, u32 len,
			   const struct espinudp_ports *ports,
			   struct espinudp_flow *flow)
{
	if (unlikely(len < ESPINUDP_ETH_HLEN)) {
		espinudp_set(flow, ESPINUDP_CLASS_MALFORMED, 0);
		return;
	}
	espinudp_classify(frame + ESPINUDP_ETH_HLEN, len - ESPINUDP_ETH_HLEN,
			  len - ESPINUDP_ETH_HLEN, espinudp_read_be16(frame + 12),
			  ports, flow);
}

/* Key byte @i, zero past the end of the key */
static u8 espinudp_key_byte(const u8 *key, u32 key_len, u32 i)
{
	return i < key_len ? key[i] : 0;
}

/* The 32 key bits starting at bit @bit, MSB first */
static u32 espinudp_key_window(const u8 *key, u32 key_len, u32 bit)
{
	u32 i = bit / 8, shift = bit % 8;
	u64 w = 0;
	unsigned int b;

	for (b = 0; b < 5; b++)
		w = (w << 8) | espinudp_key_byte(key, key_len, i + b);
	return (u32)(w >> (8 - shift));
}

int espinudp_toeplitz_init(struct espinudp_toeplitz *t, const u8 *key,
			   u32 key_len)
{
	unsigned int pos, b, v;
	u32 win, *tbl;

	if (key_len != ESPINUDP_KEY_LEN && key_len != ESPINUDP_KEY_LEN_STD)
		return -EINVAL;

	for (pos = 0; pos < ESPINUDP_TBL_BYTES; pos++) {
		tbl = t->tbl[pos];
		tbl[0] = 0;
		/* b = 0 is the byte's LSB, i.e. input bit pos * 8 + 7 */
		for (b = 0; b < 8; b++) {
			win = espinudp_key_window(key, key_len,
						  pos * 8 + 7 - b);
			for (v = 0; v < (1u << b); v++)
				tbl[(1u << b) + v] = tbl[v] ^ win;
		}
	}
	return 0;
}

/* Four lookups at the constant position @i: fixed table displacements */
static inline u32 espinudp_tz4(const struct espinudp_toeplitz *t,
			       const u8 *in, unsigned int i)
{
	return t->tbl[i][in[i]] ^ t->tbl[i + 1][in[i + 1]] ^
	       t->tbl[i + 2][in[i + 2]] ^ t->tbl[i + 3][in[i + 3]];
}

u32 espinudp_toeplitz(const struct espinudp_toeplitz *t, const u8 *in,
		      u32 len)
{
	u32 h = 0, i;

	if (unlikely(len > ESPINUDP_TBL_BYTES))
		len = ESPINUDP_TBL_BYTES;

	/* bytes past the last whole 4-byte group (no tuple has any) */
	for (i = len & ~3u; i < len; i++)
		h ^= t->tbl[i][in[i]];

	/* fully unrolled: no loop, no index arithmetic */
	switch (len / 4) {
	case 12:
		h ^= espinudp_tz4(t, in, 44);
		fallthrough;
	case 11:
		h ^= espinudp_tz4(t, in, 40);
		fallthrough;
	case 10:
		h ^= espinudp_tz4(t, in, 36);
		fallthrough;
	case 9:
		h ^= espinudp_tz4(t, in, 32);
		fallthrough;
	case 8:
		h ^= espinudp_tz4(t, in, 28);
		fallthrough;
	case 7:
		h ^= espinudp_tz4(t, in, 24);
		fallthrough;
	case 6:
		h ^= espinudp_tz4(t, in, 20);
		fallthrough;
	case 5:
		h ^= espinudp_tz4(t, in, 16);
		fallthrough;
	case 4:
		h ^= espinudp_tz4(t, in, 12);
		fallthrough;
	case 3:
		h ^= espinudp_tz4(t, in, 8);
		fallthrough;
	case 2:
		h ^= espinudp_tz4(t, in, 4);
		fallthrough;
	case 1:
		h ^= espinudp_tz4(t, in, 0);
		fallthrough;
	default:
		break;
	}
	return h;
}

/*
 * Bit-serial reference, written independently of the tables: a 32-bit
 * register holds the key window and shifts in one key bit per input bit.
 */
u32 espinudp_toeplitz_ref(const u8 *key, const u8 *in, u32 len)
{
	u32 win, h = 0, i, next = 32;
	int bit;

	win = (u32)key[0] << 24 | (u32)key[1] << 16 | (u32)key[2] << 8 | key[3];
	if (len > ESPINUDP_TBL_BYTES)
		len = ESPINUDP_TBL_BYTES;
	for (i = 0; i < len; i++) {
		for (bit = 7; bit >= 0; bit--, next++) {
			if (in[i] & (1u << bit))
				h ^= win;
			win <<= 1;
			if (next < ESPINUDP_KEY_LEN * 8)
				win |= (key[next / 8] >> (7 - next % 8)) & 1;
		}
	}
	return h;
}
