// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: median ns per classify + hash of ESP-in-UDP frames, IPv4
 * (16-byte input) and IPv6 (40-byte input), table-driven core vs the
 * bit-serial reference, in the same run.  The core is linked from its own
 * object file, as in the module (no cross-file inlining).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "i40e_espinudp.h"

#define NFRAMES		256	/* distinct SPIs/addresses, cycled */
#define BATCH		4096	/* table-driven frames per batch */
#define REF_BATCH	256	/* bit-serial frames per batch */
#define ROUNDS		501

static struct espinudp_toeplitz tz;
static u8 key[ESPINUDP_KEY_LEN];
static struct espinudp_ports ports;
static u8 frames[2][NFRAMES][128];
static u32 flen[2];
static volatile u32 sink;

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void build(void)
{
	unsigned int i, v6;
	u8 *f, *ip, *uh;

	for (v6 = 0; v6 < 2; v6++) {
		for (i = 0; i < NFRAMES; i++) {
			f = frames[v6][i];
			memset(f, 0, 128);
			put16(f + 12, v6 ? 0x86dd : 0x0800);
			ip = f + 14;
			if (!v6) {
				ip[0] = 0x45;
				put16(ip + 2, 20 + 8 + 24);
				ip[8] = 64;
				ip[9] = 17;
				ip[12] = 10;
				ip[15] = i;
				ip[16] = 10;
				ip[19] = 200;
				uh = ip + 20;
			} else {
				ip[0] = 0x60;
				put16(ip + 4, 8 + 24);
				ip[6] = 17;
				ip[7] = 64;
				put16(ip + 8, 0x2001);
				ip[23] = i;
				put16(ip + 24, 0x2001);
				ip[39] = 200;
				uh = ip + 40;
			}
			put16(uh, 4500);
			put16(uh + 2, 4500);
			put16(uh + 4, 8 + 24);
			put16(uh + 8, 0xc000 + i * 7);
			put16(uh + 10, i * 131 + 1);
			uh[15] = 1;
			flen[v6] = uh + 8 + 24 - f;
		}
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ns per classify+hash over one batch of @n frames */
static double batch(unsigned int v6, int ref, unsigned int n)
{
	struct espinudp_flow fl;
	unsigned int i;
	u32 acc = 0;
	double t0;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		espinudp_classify_eth(frames[v6][i % NFRAMES], flen[v6],
				      &ports, &fl);
		if (ref)
			acc ^= espinudp_toeplitz_ref(key, fl.tuple,
						     fl.tuple_len);
		else
			acc ^= espinudp_flow_hash(&tz, &fl);
	}
	sink ^= acc;
	return (now_ns() - t0) / n;
}

static double median(double *t, unsigned int n)
{
	qsort(t, n, sizeof(t[0]), cmp);
	return t[n / 2];
}

int main(void)
{
	static double s[4][ROUNDS];
	double t4, t6, r4, r6;
	struct espinudp_flow fl;
	unsigned int i, r;

	for (i = 0; i < sizeof(key); i++)
		key[i] = i * 97 + 13;
	espinudp_toeplitz_init(&tz, key, sizeof(key));
	espinudp_ports_default(&ports);
	build();

	/* Sanity: the frames are what we claim */
	espinudp_classify_eth(frames[0][0], flen[0], &ports, &fl);
	if (fl.cls != ESPINUDP_CLASS_ESP || fl.tuple_len != 16)
		return fprintf(stderr, "bench: IPv4 frame not esp/16\n"), 1;
	espinudp_classify_eth(frames[1][0], flen[1], &ports, &fl);
	if (fl.cls != ESPINUDP_CLASS_ESP || fl.tuple_len != 40)
		return fprintf(stderr, "bench: IPv6 frame not esp/40\n"), 1;

	/* warm up: tables, caches, CPU clock */
	for (r = 0; r < 50; r++)
		batch(r & 1, 0, BATCH);
	/*
	 * Rounds interleave all four measurements, so that noise from other
	 * processes on this shared machine hits them alike; short batches
	 * are rarely preempted, and the median drops the ones that were.
	 */
	for (r = 0; r < ROUNDS; r++) {
		s[0][r] = batch(0, 0, BATCH);
		s[1][r] = batch(1, 0, BATCH);
		s[2][r] = batch(0, 1, REF_BATCH);
		s[3][r] = batch(1, 1, REF_BATCH);
	}
	t4 = median(s[0], ROUNDS);
	t6 = median(s[1], ROUNDS);
	r4 = median(s[2], ROUNDS);
	r6 = median(s[3], ROUNDS);

	printf("classify+hash, median of %d interleaved rounds; batches of %d (table) and %d (bit-serial) frames, %d distinct:\n",
	       ROUNDS, BATCH, REF_BATCH, NFRAMES);
	printf("  IPv4+SPI (16 bytes): table %7.2f ns   bit-serial %8.2f ns\n",
	       t4, r4);
	printf("  IPv6+SPI (40 bytes): table %7.2f ns   bit-serial %8.2f ns\n",
	       t6, r6);
	printf("  tables: %zu bytes per device\n", sizeof(tz));
	printf("bench: ipv4_ns=%.2f ipv6_ns=%.2f ratio_ipv4=%.1f ratio_ipv6=%.1f\n",
	       t4, t6, r4 / t4, r6 / t6);
	return 0;
}
