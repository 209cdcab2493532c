// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the i40e-espinudp core (the very i40e_espinudp.c the module
 * builds).  Prints TAP lines; the plan is added by run.sh.
 *
 * usage: test_core [CORPUS_DIR [DIFF_CASES]]   (CORPUS_DIR: tests/corpus)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pcap/pcap.h>
#include <arpa/inet.h>

#include "i40e_espinudp.h"

static int failures, tests;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	printf("%sok %d - ", cond ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		failures++;
	fflush(stdout);
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- Toeplitz: Microsoft vectors ---------------------------------- */

static const u8 ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct ms_vec {
	const char *src, *dst;
	u16 sport, dport;
	u32 h_l3, h_l4;
};

/* "Verifying the RSS Hash Calculation": the hash input is src first */
static const struct ms_vec ms4[] = {
	{ "66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178 },
	{ "199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea },
	{ "24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	{ "38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f },
	{ "153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2 },
};

static const struct ms_vec ms6[] = {
	{ "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766,
	  0x2cc18cd5, 0x40207d3d },
	{ "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739,
	  0x0f0c461c, 0xdde51bbf },
	{ "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf",
	  44251, 38024, 0x4b61e985, 0x02d1feef },
};

static u32 tuple_ms(const struct ms_vec *v, int af, u8 *t)
{
	u32 alen = af == AF_INET ? 4 : 16;

	inet_pton(af, v->src, t);
	inet_pton(af, v->dst, t + alen);
	t[2 * alen] = v->sport >> 8;
	t[2 * alen + 1] = v->sport;
	t[2 * alen + 2] = v->dport >> 8;
	t[2 * alen + 3] = v->dport;
	return 2 * alen;
}

static struct espinudp_toeplitz tz;

static void test_ms_vectors(void)
{
	u8 key52[ESPINUDP_KEY_LEN] = { 0 };
	unsigned int i;
	u32 l3, h;
	u8 t[48];

	memcpy(key52, ms_key, 40);
	ok(espinudp_toeplitz_init(&tz, ms_key, 40) == 0,
	   "toeplitz_init accepts a 40-byte key");
	for (i = 0; i < sizeof(ms4) / sizeof(ms4[0]); i++) {
		l3 = tuple_ms(&ms4[i], AF_INET, t);
		h = espinudp_toeplitz(&tz, t, l3);
		ok(h == ms4[i].h_l3, "MS IPv4 %s -> %s 2-tuple: %08x want %08x",
		   ms4[i].src, ms4[i].dst, h, ms4[i].h_l3);
		h = espinudp_toeplitz(&tz, t, l3 + 4);
		ok(h == ms4[i].h_l4, "MS IPv4 %s:%u -> %s:%u 4-tuple: %08x want %08x",
		   ms4[i].src, ms4[i].sport, ms4[i].dst, ms4[i].dport,
		   h, ms4[i].h_l4);
		ok(espinudp_toeplitz_ref(key52, t, l3 + 4) == ms4[i].h_l4 &&
		   espinudp_toeplitz_ref(key52, t, l3) == ms4[i].h_l3,
		   "MS IPv4 vector %u: bit-serial reference agrees", i);
	}
	for (i = 0; i < sizeof(ms6) / sizeof(ms6[0]); i++) {
		l3 = tuple_ms(&ms6[i], AF_INET6, t);
		h = espinudp_toeplitz(&tz, t, l3);
		ok(h == ms6[i].h_l3, "MS IPv6 %s -> %s 2-tuple: %08x want %08x",
		   ms6[i].src, ms6[i].dst, h, ms6[i].h_l3);
		h = espinudp_toeplitz(&tz, t, l3 + 4);
		ok(h == ms6[i].h_l4, "MS IPv6 %s -> %s 4-tuple: %08x want %08x",
		   ms6[i].src, ms6[i].dst, h, ms6[i].h_l4);
		ok(espinudp_toeplitz_ref(key52, t, l3 + 4) == ms6[i].h_l4 &&
		   espinudp_toeplitz_ref(key52, t, l3) == ms6[i].h_l3,
		   "MS IPv6 vector %u: bit-serial reference agrees", i);
	}
}

/* ---- Toeplitz: extended key (bytes 40..51) ------------------------ */

static void test_ext_key(void)
{
	struct espinudp_toeplitz a, b;
	u8 key[ESPINUDP_KEY_LEN], key2[ESPINUDP_KEY_LEN], in[48];
	unsigned int i, len, bad;
	int rc;

	/*
	 * Vectors computed by an independent (Python, big-integer) Toeplitz:
	 * key[i] = i * 37 + 5, IPv6 2001:db8::1 -> 2001:db8::2, 4500/4500,
	 * SPI 0xdeadbeef (40 bytes: uses key bytes 40..43); and 00 01 .. 2f
	 * (48 bytes: uses every key byte up to 51).
	 */
	static const u8 v6esp[40] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0x11, 0x94, 0x11, 0x94, 0xde, 0xad, 0xbe, 0xef,
	};

	for (i = 0; i < sizeof(key); i++)
		key[i] = i * 37 + 5;
	for (i = 0; i < sizeof(in); i++)
		in[i] = i;
	espinudp_toeplitz_init(&a, key, sizeof(key));
	ok(espinudp_toeplitz(&a, v6esp, 40) == 0xcb1e937b,
	   "52-byte key, IPv6+SPI 40-byte input: %08x want cb1e937b",
	   espinudp_toeplitz(&a, v6esp, 40));
	ok(espinudp_toeplitz_ref(key, v6esp, 40) == 0xcb1e937b,
	   "bit-serial reference, IPv6+SPI 40-byte input");
	ok(espinudp_toeplitz(&a, in, 48) == 0x67294737 &&
	   espinudp_toeplitz_ref(key, in, 48) == 0x67294737,
	   "52-byte key, 48-byte input (key bytes up to 51): %08x want 67294737",
	   espinudp_toeplitz(&a, in, 48));

	/* Key bytes 40..43 matter for 40 bytes of input; 44.. do not */
	memcpy(key2, key, sizeof(key));
	key2[43] ^= 0x80;	/* key bit 344; bit 351 (0x01) is never used */
	espinudp_toeplitz_init(&b, key2, sizeof(key2));
	ok(espinudp_toeplitz(&b, v6esp, 40) != espinudp_toeplitz(&a, v6esp, 40),
	   "key byte 43 (bit 344) changes the hash of a 40-byte input");
	memcpy(key2, key, sizeof(key));
	key2[44] ^= 0xff;
	key2[51] ^= 0xff;
	espinudp_toeplitz_init(&b, key2, sizeof(key2));
	ok(espinudp_toeplitz(&b, v6esp, 40) == espinudp_toeplitz(&a, v6esp, 40),
	   "key bytes 44..51 do not change the hash of a 40-byte input");
	ok(espinudp_toeplitz(&b, in, 48) != espinudp_toeplitz(&a, in, 48),
	   "key bytes 44..51 change the hash of a 48-byte input");

	/* Every length, both key sizes, table vs reference */
	bad = 0;
	for (len = 0; len <= 48; len++) {
		for (i = 0; i < sizeof(in); i++)
			in[i] = (u8)(i * 151 + len * 7 + 3);
		if (espinudp_toeplitz(&a, in, len) !=
		    espinudp_toeplitz_ref(key, in, len))
			bad++;
	}
	ok(!bad, "52-byte key: table == bit-serial for lengths 0..48 (%u bad)",
	   bad);

	/* A 40-byte key is zero-extended */
	memset(key2, 0, sizeof(key2));
	memcpy(key2, key, 40);
	espinudp_toeplitz_init(&a, key, 40);
	espinudp_toeplitz_init(&b, key2, 52);
	ok(!memcmp(&a, &b, sizeof(a)),
	   "40-byte key builds the same tables as the key zero-extended to 52");
	ok(espinudp_toeplitz(&a, in, 48) == espinudp_toeplitz_ref(key2, in, 48),
	   "40-byte key: 48-byte input matches the zero-extended reference");

	rc = 0;
	for (len = 0; len < 64; len++)
		if (len != 40 && len != 52 &&
		    espinudp_toeplitz_init(&a, key, len) != -EINVAL)
			rc++;
	ok(!rc, "toeplitz_init rejects key lengths other than 40 and 52");
	ok(sizeof(struct espinudp_toeplitz) <= 64 * 1024,
	   "tables take %zu bytes (<= 64 KiB)", sizeof(struct espinudp_toeplitz));
}

/* Tiny xorshift so runs are reproducible */
static u64 rng = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_differential(unsigned long cases)
{
	struct espinudp_toeplitz t;
	u8 key[ESPINUDP_KEY_LEN], in[48];
	unsigned long n, bad = 0;
	unsigned int i, len, klen;

	for (n = 0; n < cases; n++) {
		klen = (n & 7) ? 52 : 40;
		for (i = 0; i < sizeof(key); i++)
			key[i] = i < klen ? (u8)rnd() : 0;
		espinudp_toeplitz_init(&t, key, klen);
		len = 1 + n % 48;
		for (i = 0; i < len; i++)
			in[i] = (u8)rnd();
		if (espinudp_toeplitz(&t, in, len) !=
		    espinudp_toeplitz_ref(key, in, len)) {
			if (bad++ < 5)
				diag("mismatch: case %lu len %u", n, len);
		}
	}
	ok(!bad, "differential: table == bit-serial over %lu random keys and tuples (lengths 1..48), %lu bad",
	   cases, bad);
}

/* ---- Frame builder for the classification rules -------------------- */

struct pkt {
	int v6;
	int ntags;
	u16 tpid[3];
	int ihl;		/* IPv4 header words, 0 = 5 */
	u16 frag;		/* IPv4 flags/offset field */
	u8 proto;		/* 0 = UDP */
	int nexts;		/* IPv6 extension headers */
	u8 ext[12];		/* their types */
	u16 frag6;		/* offset/M of any IPv6 fragment header */
	u16 sport, dport;
	int ulen_adj;		/* UDP length - real length */
	int iplen_adj;		/* IP length - real length */
	const u8 *pl;
	u32 plen;
	u32 pad;		/* trailing Ethernet bytes */
	u32 cut;		/* bytes cut off the end */
};

static const u8 src4[4] = { 10, 0, 0, 1 }, dst4[4] = { 10, 0, 0, 2 };
static const u8 src6[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 1 };
static const u8 dst6[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 2 };

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* Returns the frame length; *l3 gets the offset of the network header */
static u32 build(const struct pkt *k, u8 *f, u32 *l3)
{
	u32 off = 12, ip, l4, ulen, iplen, i;
	u8 proto = k->proto ? k->proto : 17;
	int t;

	memset(f, 0xee, 12);
	for (t = 0; t < k->ntags; t++) {
		put16(f + off, k->tpid[t] ? k->tpid[t] : 0x8100);
		put16(f + off + 2, 100 + t);
		off += 4;
	}
	put16(f + off, k->v6 ? 0x86dd : 0x0800);
	off += 2;
	ip = off;
	*l3 = ip;
	ulen = 8 + k->plen;
	if (!k->v6) {
		u32 ihl = k->ihl ? k->ihl : 5;

		memset(f + ip, 0, 60);
		f[ip] = 0x40 | ihl;
		f[ip + 8] = 64;
		f[ip + 9] = proto;
		put16(f + ip + 6, k->frag);
		memcpy(f + ip + 12, src4, 4);
		memcpy(f + ip + 16, dst4, 4);
		for (i = 20; i < ihl * 4; i++)
			f[ip + i] = 1;	/* NOP options */
		l4 = ip + (ihl < 5 ? 20 : ihl * 4);
		iplen = l4 - ip + ulen + k->iplen_adj;
		put16(f + ip + 2, iplen);
	} else {
		u32 e = ip + 40;
		u8 *nhp = f + ip + 6;

		memset(f + ip, 0, 40);
		f[ip] = 0x60;
		f[ip + 7] = 64;
		memcpy(f + ip + 8, src6, 16);
		memcpy(f + ip + 24, dst6, 16);
		for (t = 0; t < k->nexts; t++) {
			*nhp = k->ext[t];
			memset(f + e, 0, 16);
			nhp = f + e;
			if (k->ext[t] == 44) {
				put16(f + e + 2, k->frag6);
				e += 8;
			} else {
				f[e + 1] = 1;	/* 16 bytes */
				f[e + 2] = 1;	/* PadN */
				f[e + 3] = 12;
				e += 16;
			}
		}
		*nhp = proto;
		l4 = e;
		iplen = l4 - ip - 40 + ulen + k->iplen_adj;
		put16(f + ip + 4, iplen);
	}
	put16(f + l4, k->sport ? k->sport : 4500);
	put16(f + l4 + 2, k->dport ? k->dport : 4500);
	put16(f + l4 + 4, ulen + k->ulen_adj);
	put16(f + l4 + 6, 0);
	if (k->plen)
		memcpy(f + l4 + 8, k->pl, k->plen);
	off = l4 + 8 + k->plen;
	memset(f + off, 0, k->pad);
	return off + k->pad - k->cut;
}

static struct espinudp_ports ports;

/*
 * Classify through the partial entry point, starting with @head readable
 * bytes and pulling what it asks for; each attempt reads from an exact-size
 * copy of the readable bytes, so ASan catches a read past @headlen.
 * Returns the number of pulls, or -1 if a request broke the contract.
 */
static int classify_pulled(const u8 *nh, u32 len, __be16 proto, u32 head,
			   struct espinudp_flow *fl)
{
	int pulls = 0;
	u32 need;
	u8 *buf;

	if (head > len)
		head = len;
	for (;;) {
		buf = malloc(head ? head : 1);
		memcpy(buf, nh, head);
		need = espinudp_classify_l3_partial(buf, head, len, proto,
						    &ports, fl);
		free(buf);
		if (!need)
			return pulls;
		if (need <= head || need > len || ++pulls > 64)
			return -1;
		head = need;
	}
}

static void check(const char *what, const struct pkt *k, unsigned int cls,
		  u32 spi)
{
	struct espinudp_flow fl;
	u8 *f = malloc(2048), *copy;
	u32 len, l3;
	u8 want[48];
	u32 wlen = 0, alen = k->v6 ? 16 : 4;

	len = build(k, f, &l3);
	/* Exact-size heap copy: ASan catches any read past the end */
	copy = malloc(len ? len : 1);
	memcpy(copy, f, len);
	memset(&fl, 0x5a, sizeof(fl));
	espinudp_classify_eth(copy, len, &ports, &fl);

	memcpy(want, k->v6 ? src6 : src4, alen);
	memcpy(want + alen, k->v6 ? dst6 : dst4, alen);
	switch (cls) {
	case ESPINUDP_CLASS_FRAGMENT:
		wlen = 2 * alen;
		break;
	case ESPINUDP_CLASS_ESP:
		put16(want + 2 * alen + 4, spi >> 16);
		put16(want + 2 * alen + 6, spi);
		wlen = 2 * alen + 8;
		/* fallthrough */
	case ESPINUDP_CLASS_IKE:
	case ESPINUDP_CLASS_KEEPALIVE:
	case ESPINUDP_CLASS_UDP:
		put16(want + 2 * alen, k->sport ? k->sport : 4500);
		put16(want + 2 * alen + 2, k->dport ? k->dport : 4500);
		if (!wlen)
			wlen = 2 * alen + 4;
		break;
	}
	ok(fl.cls == cls && be32_to_cpu(fl.spi) == spi &&
	   fl.tuple_len == wlen && !memcmp(fl.tuple, want, wlen),
	   "%s: %s spi %08x tuple %u (want %s spi %08x tuple %u)", what,
	   espinudp_class_name(fl.cls), be32_to_cpu(fl.spi), fl.tuple_len,
	   espinudp_class_name(cls), spi, wlen);

	/* Non-linear frames: every head length gives the same answer */
	{
		struct espinudp_flow fp;
		u32 h, bad = 0, maxpull = 0;
		__be16 et = espinudp_read_be16(copy + 12);
		int r;

		for (h = 0; h <= len - 14; h++) {
			memset(&fp, 0x5a, sizeof(fp));
			r = classify_pulled(copy + 14, len - 14, et, h, &fp);
			if (r < 0 || fp.cls != fl.cls || fp.spi != fl.spi ||
			    fp.tuple_len != fl.tuple_len ||
			    memcmp(fp.tuple, fl.tuple, fl.tuple_len))
				bad++;
			if (r > (int)maxpull)
				maxpull = r;
		}
		ok(!bad, "%s: partial entry, head lengths 0..%u: same result (%u pulls max, %u bad)",
		   what, len - 14, maxpull, bad);
	}

	/* The kernel entry point: VLAN tag stripped, data at the network header */
	if (k->ntags == 1) {
		struct espinudp_flow f3;

		espinudp_classify_l3(copy + l3, len - l3,
				     cpu_to_be16(k->v6 ? 0x86dd : 0x0800),
				     &ports, &f3);
		ok(f3.cls == fl.cls && f3.tuple_len == fl.tuple_len &&
		   !memcmp(f3.tuple, fl.tuple, fl.tuple_len) && f3.spi == fl.spi,
		   "%s: l3 entry point with the VLAN tag stripped agrees", what);
	}
	free(copy);
	free(f);
}

static const u8 esp8[8] = { 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1 };
static const u8 esp7[7] = { 0x12, 0x34, 0x56, 0x78, 0, 0, 0 };
static const u8 ike[12] = { 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
static const u8 ka[1] = { 0xff };
static const u8 not_ka[1] = { 0xfe };

static void test_rules(void)
{
	struct pkt k;
	int v6;

#define P(...) (k = (struct pkt){ __VA_ARGS__ }, &k)
	for (v6 = 0; v6 < 2; v6++) {
		const char *ip = v6 ? "IPv6" : "IPv4";
		char name[128];

#define N(s) (snprintf(name, sizeof(name), "%s %s", ip, s), name)
		check(N("ESP, 8-byte payload"), P(.v6 = v6, .pl = esp8, .plen = 8),
		      ESPINUDP_CLASS_ESP, 0x12345678);
		check(N("7-byte non-zero payload is udp"),
		      P(.v6 = v6, .pl = esp7, .plen = 7), ESPINUDP_CLASS_UDP, 0);
		check(N("4-byte non-zero payload is udp"),
		      P(.v6 = v6, .pl = esp7, .plen = 4), ESPINUDP_CLASS_UDP, 0);
		check(N("IKE non-ESP marker"), P(.v6 = v6, .pl = ike, .plen = 12),
		      ESPINUDP_CLASS_IKE, 0);
		check(N("IKE marker alone (4 zero bytes)"),
		      P(.v6 = v6, .pl = ike, .plen = 4), ESPINUDP_CLASS_IKE, 0);
		check(N("3 zero bytes is udp"), P(.v6 = v6, .pl = ike, .plen = 3),
		      ESPINUDP_CLASS_UDP, 0);
		check(N("NAT keepalive 0xff"), P(.v6 = v6, .pl = ka, .plen = 1),
		      ESPINUDP_CLASS_KEEPALIVE, 0);
		check(N("one 0xfe byte is udp"), P(.v6 = v6, .pl = not_ka, .plen = 1),
		      ESPINUDP_CLASS_UDP, 0);
		check(N("empty UDP payload is udp"), P(.v6 = v6, .plen = 0),
		      ESPINUDP_CLASS_UDP, 0);
		check(N("0xff followed by padding counted in UDP length is udp"),
		      P(.v6 = v6, .pl = esp8, .plen = 2), ESPINUDP_CLASS_UDP, 0);
		check(N("trailing Ethernet padding after a keepalive"),
		      P(.v6 = v6, .pl = ka, .plen = 1, .pad = 17),
		      ESPINUDP_CLASS_KEEPALIVE, 0);
		check(N("trailing Ethernet padding after ESP"),
		      P(.v6 = v6, .pl = esp8, .plen = 8, .pad = 4),
		      ESPINUDP_CLASS_ESP, 0x12345678);
		check(N("UDP length shorter than the IP payload: ESP cut to 7"),
		      P(.v6 = v6, .pl = esp8, .plen = 8, .ulen_adj = -1),
		      ESPINUDP_CLASS_UDP, 0);
		check(N("UDP length past the IP payload"),
		      P(.v6 = v6, .pl = esp8, .plen = 8, .ulen_adj = 1),
		      ESPINUDP_CLASS_MALFORMED, 0);
		check(N("UDP length 7"),
		      P(.v6 = v6, .pl = esp8, .plen = 0, .ulen_adj = -1),
		      ESPINUDP_CLASS_MALFORMED, 0);
		check(N("UDP header past the IP payload"),
		      P(.v6 = v6, .plen = 0, .iplen_adj = -1),
		      ESPINUDP_CLASS_MALFORMED, 0);
		check(N("IP datagram past the end of the frame"),
		      P(.v6 = v6, .pl = esp8, .plen = 8, .cut = 1),
		      ESPINUDP_CLASS_MALFORMED, 0);
		check(N("IP length longer than the frame"),
		      P(.v6 = v6, .pl = esp8, .plen = 8, .iplen_adj = 1),
		      ESPINUDP_CLASS_MALFORMED, 0);
		check(N("port 4501 not configured"),
		      P(.v6 = v6, .pl = esp8, .plen = 8, .dport = 4501),
		      ESPINUDP_CLASS_OTHER, 0);
		check(N("sport 4500 to dport 500 is other"),
		      P(.v6 = v6, .pl = esp8, .plen = 8, .dport = 500),
		      ESPINUDP_CLASS_OTHER, 0);
		check(N("TCP is other"),
		      P(.v6 = v6, .pl = esp8, .plen = 8, .proto = 6),
		      ESPINUDP_CLASS_OTHER, 0);
		check(N("802.1Q tag"),
		      P(.v6 = v6, .ntags = 1, .pl = esp8, .plen = 8),
		      ESPINUDP_CLASS_ESP, 0x12345678);
		check(N("802.1Q tag, IKE"),
		      P(.v6 = v6, .ntags = 1, .pl = ike, .plen = 8),
		      ESPINUDP_CLASS_IKE, 0);
		check(N("QinQ 802.1ad + 802.1Q"),
		      P(.v6 = v6, .ntags = 2, .tpid = { 0x88a8, 0x8100 },
			.pl = esp8, .plen = 8), ESPINUDP_CLASS_ESP, 0x12345678);
		check(N("three VLAN tags"),
		      P(.v6 = v6, .ntags = 3, .tpid = { 0x88a8, 0x8100, 0x8100 },
			.pl = esp8, .plen = 8), ESPINUDP_CLASS_MALFORMED, 0);
	}
#undef N

	/* IPv4 header rules */
	check("IPv4 IHL 4", P(.ihl = 4, .pl = esp8, .plen = 8),
	      ESPINUDP_CLASS_MALFORMED, 0);
	check("IPv4 IHL 6 (one option word)", P(.ihl = 6, .pl = esp8, .plen = 8),
	      ESPINUDP_CLASS_ESP, 0x12345678);
	check("IPv4 IHL 15 (40 bytes of options)",
	      P(.ihl = 15, .pl = esp8, .plen = 8), ESPINUDP_CLASS_ESP, 0x12345678);
	check("IPv4 total length < IHL",
	      P(.ihl = 6, .plen = 0, .iplen_adj = -9), ESPINUDP_CLASS_MALFORMED, 0);
	check("IPv4 first fragment (offset 0, MF=1)",
	      P(.frag = 0x2000, .pl = esp8, .plen = 8), ESPINUDP_CLASS_FRAGMENT, 0);
	check("IPv4 first fragment, UDP length past the fragment",
	      P(.frag = 0x2000, .pl = esp8, .plen = 8, .ulen_adj = 100),
	      ESPINUDP_CLASS_FRAGMENT, 0);
	check("IPv4 non-first fragment (offset 185)",
	      P(.frag = 185, .pl = esp8, .plen = 8), ESPINUDP_CLASS_FRAGMENT, 0);
	check("IPv4 last fragment (offset 1, MF=0)",
	      P(.frag = 1, .pl = esp8, .plen = 8), ESPINUDP_CLASS_FRAGMENT, 0);
	check("IPv4 DF alone is not a fragment",
	      P(.frag = 0x4000, .pl = esp8, .plen = 8),
	      ESPINUDP_CLASS_ESP, 0x12345678);
	check("IPv4 truncated fragment is malformed",
	      P(.frag = 0x2000, .pl = esp8, .plen = 8, .cut = 3),
	      ESPINUDP_CLASS_MALFORMED, 0);

	/* IPv6 extension headers */
	check("IPv6 hop-by-hop + routing + dest-opts",
	      P(.v6 = 1, .nexts = 3, .ext = { 0, 43, 60 }, .pl = esp8, .plen = 8),
	      ESPINUDP_CLASS_ESP, 0x12345678);
	check("IPv6 8 extension headers",
	      P(.v6 = 1, .nexts = 8, .ext = { 0, 60, 43, 60, 43, 60, 44, 60 },
		.pl = esp8, .plen = 8), ESPINUDP_CLASS_ESP, 0x12345678);
	check("IPv6 9 extension headers",
	      P(.v6 = 1, .nexts = 9, .ext = { 0, 60, 43, 60, 43, 60, 43, 60, 60 },
		.pl = esp8, .plen = 8), ESPINUDP_CLASS_MALFORMED, 0);
	check("IPv6 atomic fragment header (offset 0, M=0)",
	      P(.v6 = 1, .nexts = 1, .ext = { 44 }, .pl = ike, .plen = 8),
	      ESPINUDP_CLASS_IKE, 0);
	check("IPv6 first fragment (offset 0, M=1)",
	      P(.v6 = 1, .nexts = 1, .ext = { 44 }, .frag6 = 1, .pl = esp8,
		.plen = 8), ESPINUDP_CLASS_FRAGMENT, 0);
	check("IPv6 non-first fragment (offset 8)",
	      P(.v6 = 1, .nexts = 1, .ext = { 44 }, .frag6 = 8 << 3, .pl = esp8,
		.plen = 8), ESPINUDP_CLASS_FRAGMENT, 0);
	check("IPv6 fragment after dest-opts",
	      P(.v6 = 1, .nexts = 2, .ext = { 60, 44 }, .frag6 = 1 << 3,
		.pl = esp8, .plen = 8), ESPINUDP_CLASS_FRAGMENT, 0);
	check("IPv6 extension header past the payload",
	      P(.v6 = 1, .nexts = 1, .ext = { 60 }, .plen = 0, .iplen_adj = -9),
	      ESPINUDP_CLASS_MALFORMED, 0);
	check("IPv6 ESP header (50) after hop-by-hop is other",
	      P(.v6 = 1, .nexts = 1, .ext = { 0 }, .proto = 50, .pl = esp8,
		.plen = 8), ESPINUDP_CLASS_OTHER, 0);
#undef P
}

static void test_raw(void)
{
	struct espinudp_flow fl;
	struct espinudp_ports p2;
	u8 f[64] = { 0 };
	u8 *h;
	unsigned int i, bad;

	/* Short Ethernet headers: every length below 14 */
	bad = 0;
	for (i = 0; i < 14; i++) {
		h = malloc(i ? i : 1);
		memset(h, 0x08, i);
		espinudp_classify_eth(h, i, &ports, &fl);
		bad += fl.cls != ESPINUDP_CLASS_MALFORMED;
		free(h);
	}
	ok(!bad, "Ethernet frames of 0..13 bytes are malformed");

	f[12] = 0x08;
	f[13] = 0x06;	/* ARP */
	espinudp_classify_eth(f, 60, &ports, &fl);
	ok(fl.cls == ESPINUDP_CLASS_OTHER && fl.tuple_len == 0,
	   "ARP is other with no hash input");
	f[13] = 0x00;
	f[14] = 0x60;	/* IPv4 EtherType, version 6 */
	espinudp_classify_eth(f, 60, &ports, &fl);
	ok(fl.cls == ESPINUDP_CLASS_MALFORMED,
	   "IPv4 EtherType with version 6 is malformed");
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x45;
	espinudp_classify_eth(f, 60, &ports, &fl);
	ok(fl.cls == ESPINUDP_CLASS_MALFORMED,
	   "IPv6 EtherType with version 4 is malformed");
	f[12] = 0x81;
	f[13] = 0x00;
	espinudp_classify_eth(f, 16, &ports, &fl);
	ok(fl.cls == ESPINUDP_CLASS_MALFORMED, "truncated VLAN tag is malformed");

	/* l3 entry with the outer tag stripped and an inner tag inline */
	{
		u8 g[64] = { 0 };

		g[0] = 0x00;
		g[1] = 0x64;		/* TCI */
		g[2] = 0x08;		/* inner EtherType IPv4 */
		g[4] = 0x45;
		g[6] = 0;
		g[7] = 28;		/* total length */
		g[13] = 17;
		g[24] = 0x11;
		g[25] = 0x94;
		g[26] = 0x11;
		g[27] = 0x94;
		g[29] = 8;		/* UDP length 8 */
		espinudp_classify_l3(g, 32, cpu_to_be16(0x8100), &ports, &fl);
		ok(fl.cls == ESPINUDP_CLASS_UDP && fl.tuple_len == 12,
		   "l3 entry with EtherType 802.1Q walks the inline tag (%s)",
		   espinudp_class_name(fl.cls));
		memmove(g + 8, g, 40);
		g[0] = 0;
		g[1] = 0x65;
		g[2] = 0x81;
		g[3] = 0x00;
		g[4] = 0;
		g[5] = 0x66;
		g[6] = 0x81;
		g[7] = 0x00;
		espinudp_classify_l3(g, 40, cpu_to_be16(0x88a8), &ports, &fl);
		ok(fl.cls == ESPINUDP_CLASS_MALFORMED,
		   "l3 entry: three tags (802.1ad + 2 inline 802.1Q) are malformed");
		ok(espinudp_classify_l3_partial(g, 2, 40, cpu_to_be16(0x88a8),
						&ports, &fl) == 4,
		   "partial entry asks for the first tag (4 bytes)");
		ok(espinudp_classify_l3_partial(g, 0, 3, cpu_to_be16(0x88a8),
						&ports, &fl) == 0 &&
		   fl.cls == ESPINUDP_CLASS_MALFORMED,
		   "partial entry: a 3-byte frame is malformed, no pull asked");
		ok(espinudp_classify_l3_partial(g, 0, 19, cpu_to_be16(0x0800),
						&ports, &fl) == 0 &&
		   fl.cls == ESPINUDP_CLASS_MALFORMED,
		   "partial entry: 19 bytes of IPv4 are malformed, no pull asked");
		ok(espinudp_classify_l3_partial(g, 0, 20, cpu_to_be16(0x0800),
						&ports, &fl) == 20,
		   "partial entry: 20 bytes of IPv4 and none readable: pull 20");
	}

	/* Port set */
	espinudp_ports_default(&p2);
	ok(p2.n == 1 && p2.port[0] == 4500, "default port set is {4500}");
	ok(espinudp_port_match(&p2, cpu_to_be16(4500)) &&
	   !espinudp_port_match(&p2, cpu_to_be16(4501)) &&
	   !espinudp_port_match(&p2, cpu_to_be16(0x9411)),
	   "port_match compares in network order");
	p2.n = 8;
	for (i = 0; i < 8; i++)
		p2.port[i] = 1000 + i;
	ok(espinudp_port_match(&p2, cpu_to_be16(1007)) &&
	   !espinudp_port_match(&p2, cpu_to_be16(4500)),
	   "8 configured ports: the 8th matches, 4500 no longer does");
	ok(!strcmp(espinudp_class_name(ESPINUDP_CLASS_ESP), "esp") &&
	   !strcmp(espinudp_class_name(ESPINUDP_CLASS_MALFORMED), "malformed") &&
	   !strcmp(espinudp_class_name(99), "?"),
	   "class names");
	{
		u8 lut[512];

		for (i = 0; i < 512; i++)
			lut[i] = i % 7;
		ok(espinudp_queue(lut, 512, 0xffffffff) == 511 % 7 &&
		   espinudp_queue(lut, 128, 0x12345) == (0x45 % 7) &&
		   espinudp_queue(lut, 1, 0xffffffff) == 0,
		   "LUT pick uses the low bits of the hash");
	}
}

/* ---- Corpus ------------------------------------------------------- */

struct corpus_expect {
	const char *file;
	unsigned int frames;
	unsigned int cls;
	u32 spi[8];
	const char *why;
};

static const struct corpus_expect corpus[] = {
	{ "seed-x722-natt-ping.pcap", 2, ESPINUDP_CLASS_ESP,
	  { 0xac11cadf, 0x47f5919c }, "1.99.99.2 <-> 1.99.99.1 4500/4500" },
	{ "espudp1.pcap", 8, ESPINUDP_CLASS_ESP,
	  { 0x12345678, 0x12345678, 0x12345678, 0x12345678,
	    0x12345678, 0x12345678, 0x12345678, 0x12345678 },
	  "192.1.2.23 -> 192.1.2.45 4500/4500" },
	/* 46 captured bytes, IP total length 70: datagram past the frame */
	{ "esp_truncated.pcap", 1, ESPINUDP_CLASS_MALFORMED, { 0 },
	  "IPv4 total length 70 > 32 captured bytes" },
	/* 42 captured bytes, IP total length 12336 (0x3030) */
	{ "isakmp-3948-oobr-2.pcap", 1, ESPINUDP_CLASS_MALFORMED, { 0 },
	  "IPv4 total length 12336 > 28 captured bytes" },
};

static void test_corpus(const char *dir)
{
	char path[4096], err[PCAP_ERRBUF_SIZE];
	const struct pcap_pkthdr *ph;
	struct espinudp_flow fl;
	const u_char *data;
	unsigned int i, n;
	pcap_t *pc;
	u8 key[52];
	u8 *copy;

	for (i = 0; i < 52; i++)
		key[i] = 0x6d + i * 13;
	espinudp_toeplitz_init(&tz, key, 52);

	for (i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		const struct corpus_expect *c = &corpus[i];
		int good = 1;

		snprintf(path, sizeof(path), "%s/%s", dir, c->file);
		pc = pcap_open_offline(path, err);
		if (!pc) {
			ok(0, "corpus %s: %s", c->file, err);
			continue;
		}
		n = 0;
		while (pcap_next_ex(pc, (struct pcap_pkthdr **)&ph, &data) == 1) {
			copy = malloc(ph->caplen);
			memcpy(copy, data, ph->caplen);
			espinudp_classify_eth(copy, ph->caplen, &ports, &fl);
			if (n < c->frames) {
				int hit = fl.cls == c->cls &&
					  be32_to_cpu(fl.spi) == c->spi[n];

				if (hit && c->cls == ESPINUDP_CLASS_ESP) {
					u8 want[16];

					/* IPs at 26..33, ports 34..37, SPI 42..45 */
					memcpy(want, copy + 26, 12);
					memcpy(want + 12, copy + 42, 4);
					hit = fl.tuple_len == 16 &&
					      !memcmp(fl.tuple, want, 16) &&
					      espinudp_flow_hash(&tz, &fl) ==
					      espinudp_toeplitz_ref(key, want, 16);
				}
				if (!hit) {
					diag("%s frame %u: %s spi %08x", c->file,
					     n + 1, espinudp_class_name(fl.cls),
					     be32_to_cpu(fl.spi));
					good = 0;
				}
			}
			free(copy);
			n++;
		}
		pcap_close(pc);
		ok(good && n == c->frames,
		   "corpus %s: %u frames, all %s (%s)", c->file, n,
		   espinudp_class_name(c->cls), c->why);
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "../corpus";
	unsigned long cases = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000;

	espinudp_ports_default(&ports);
	test_ms_vectors();
	test_ext_key();
	test_rules();
	test_raw();
	test_corpus(dir);
	test_differential(cases);
	diag("%d tests, %d failed", tests, failures);
	return failures ? 1 : 0;
}
