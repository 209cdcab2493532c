// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test of the emulated X722's Toeplitz hash (x722_rss.c) against the
 * verification vectors of Microsoft's RSS specification ("Verifying the
 * RSS Hash Calculation"), with its 40-byte sample key extended to the
 * X722's 52 bytes (the extra bytes are never reached by these inputs).
 * Independent of the product's own hash code.  Prints TAP.
 *
 * cc -O2 -o toeplitz-test toeplitz-test.c x722_rss.c && ./toeplitz-test
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "x722_rss.h"

static const uint8_t key[52] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc,
};

struct vec {
	int af;
	const char *src, *dst;
	unsigned sport, dport;
	uint32_t ip_only, with_ports;
};

static const struct vec vecs[] = {
	{ AF_INET, "66.9.149.187", "161.142.100.80", 2794, 1766,
	  0x323e8fc2, 0x51ccc178 },
	{ AF_INET, "199.92.111.2", "65.69.140.83", 14230, 4739,
	  0xd718262a, 0xc626b0ea },
	{ AF_INET, "24.19.198.95", "12.22.207.184", 12898, 38024,
	  0xd2d0a5de, 0x5c2b394a },
	{ AF_INET, "38.27.205.30", "209.142.163.6", 48228, 2217,
	  0x82989176, 0xafc7327f },
	{ AF_INET, "153.39.163.191", "202.188.127.2", 44251, 1303,
	  0x5d1809c5, 0x10e828a2 },
	{ AF_INET6, "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766,
	  0x2cc18cd5, 0x40207d3d },
	{ AF_INET6, "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739,
	  0x0f0c461c, 0xdde51bbf },
	{ AF_INET6, "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
	  "fe80::200:f8ff:fe21:67cf", 44251, 38024,
	  0x4b61e985, 0x02d1feef },
};

int main(void)
{
	unsigned i, n = sizeof(vecs) / sizeof(vecs[0]), fails = 0;

	printf("TAP version 13\n1..%u\n", 2 * n);
	for (i = 0; i < n; i++) {
		const struct vec *v = &vecs[i];
		uint8_t in[36];
		unsigned alen = v->af == AF_INET ? 4 : 16;
		uint32_t h;

		inet_pton(v->af, v->src, in);
		inet_pton(v->af, v->dst, in + alen);
		h = x722_toeplitz(key, sizeof(key), in, 2 * alen);
		printf("%sok %u - %s %s -> %s: 0x%08x (want 0x%08x)\n",
		       h == v->ip_only ? "" : "not ", 2 * i + 1,
		       v->af == AF_INET ? "ipv4" : "ipv6", v->src, v->dst, h,
		       v->ip_only);
		fails += h != v->ip_only;
		in[2 * alen] = v->sport >> 8;
		in[2 * alen + 1] = v->sport;
		in[2 * alen + 2] = v->dport >> 8;
		in[2 * alen + 3] = v->dport;
		h = x722_toeplitz(key, sizeof(key), in, 2 * alen + 4);
		printf("%sok %u - %s %s:%u -> %s:%u: 0x%08x (want 0x%08x)\n",
		       h == v->with_ports ? "" : "not ", 2 * i + 2,
		       v->af == AF_INET ? "tcp4" : "tcp6", v->src, v->sport,
		       v->dst, v->dport, h, v->with_ports);
		fails += h != v->with_ports;
	}
	return fails ? 1 : 0;
}
