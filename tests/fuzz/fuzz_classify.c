// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over the core's classify + hash (the same
 * i40e_espinudp.c the module builds).  Input: one mode byte, then a frame.
 *
 *   mode & 3 == 0..1   classify_eth(frame)
 *   mode & 3 == 2      classify_l3(frame) with EtherType IPv4/IPv6/802.1Q/
 *                      802.1ad chosen by (mode >> 2) & 3 (the kernel entry)
 *   mode & 3 == 3      classify_l3 with the EtherType in the first 2 bytes
 *   (mode >> 4) & 3    port set: {4500}, {4500, 500}, {1..8}, {}
 *   mode >> 6          the partial (non-linear) entry point starts with
 *                      0, 1/4, 2/4 or 3/4 of the frame readable
 *
 * The frame is copied into a buffer of its exact size, so ASan reports any
 * read past the end.  Invariants checked (abort on violation): tuple length
 * fits the class, ESP has a non-zero SPI equal to the last 4 tuple bytes,
 * and the table-driven hash equals the bit-serial reference.
 */
#include <stdio.h>
#include <stdlib.h>

#include "i40e_espinudp.h"

static struct espinudp_toeplitz tz;
static u8 key[ESPINUDP_KEY_LEN];

static const u16 ethertypes[4] = { 0x0800, 0x86dd, 0x8100, 0x88a8 };

static void fail(const char *why, const struct espinudp_flow *fl)
{
	fprintf(stderr, "invariant: %s (class %s, tuple_len %u)\n", why,
		espinudp_class_name(fl->cls), fl->tuple_len);
	abort();
}

/*
 * The partial entry point (non-linear skbs) must reach the same result from
 * any head length, asking only for more bytes, within the frame.  Each
 * attempt reads an exact-size copy of the head, so ASan sees overreads.
 */
static void check_partial(const u8 *frame, u32 len, unsigned int mode,
			  const struct espinudp_ports *ports,
			  const struct espinudp_flow *want)
{
	struct espinudp_flow fl;
	const u8 *nh = frame;
	u32 head, need;
	__be16 proto;
	int pulls = 0;
	u8 *buf;

	switch (mode & 3) {
	case 0:
	case 1:
		if (len < 14)
			return;
		proto = espinudp_read_be16(frame + 12);
		nh += 14;
		len -= 14;
		break;
	case 2:
		proto = cpu_to_be16(ethertypes[(mode >> 2) & 3]);
		break;
	default:
		proto = espinudp_read_be16(frame);
		nh += 2;
		len -= 2;
		break;
	}
	head = (u32)(((u64)len * (mode >> 6)) / 4);
	for (;;) {
		buf = malloc(head ? head : 1);
		memcpy(buf, nh, head);
		memset(&fl, 0x3c, sizeof(fl));
		need = espinudp_classify_l3_partial(buf, head, len, proto,
						    ports, &fl);
		free(buf);
		if (!need)
			break;
		if (need <= head || need > len || ++pulls > 64)
			fail("partial: bad pull request", &fl);
		head = need;
	}
	if (fl.cls != want->cls || fl.spi != want->spi ||
	    fl.tuple_len != want->tuple_len ||
	    memcmp(fl.tuple, want->tuple, fl.tuple_len))
		fail("partial: result differs from the linear one", &fl);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct espinudp_ports ports;
	struct espinudp_flow fl;
	unsigned int mode, i;
	u8 *frame;
	u32 len;

	if (!tz.tbl[0][1]) {
		for (i = 0; i < sizeof(key); i++)
			key[i] = 0x6d ^ (i * 83 + 1);
		espinudp_toeplitz_init(&tz, key, sizeof(key));
	}
	if (!size)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (size > 65535)
		return 0;

	espinudp_ports_default(&ports);
	switch ((mode >> 4) & 3) {
	case 1:
		ports.port[ports.n++] = 500;
		break;
	case 2:
		for (i = 0; i < ESPINUDP_MAX_PORTS; i++)
			ports.port[i] = i + 1;
		ports.n = ESPINUDP_MAX_PORTS;
		break;
	case 3:
		ports.n = 0;
		break;
	}

	len = size;
	frame = malloc(len ? len : 1);
	memcpy(frame, data, len);
	memset(&fl, 0xa5, sizeof(fl));

	switch (mode & 3) {
	case 0:
	case 1:
		espinudp_classify_eth(frame, len, &ports, &fl);
		break;
	case 2:
		espinudp_classify_l3(frame, len,
				     cpu_to_be16(ethertypes[(mode >> 2) & 3]),
				     &ports, &fl);
		break;
	case 3:
		if (len < 2)
			break;
		espinudp_classify_l3(frame + 2, len - 2,
				     espinudp_read_be16(frame), &ports, &fl);
		break;
	}
	if ((mode & 3) == 3 && len < 2) {
		free(frame);
		return 0;
	}
	check_partial(frame, len, mode, &ports, &fl);
	free(frame);

	switch (fl.cls) {
	case ESPINUDP_CLASS_OTHER:
	case ESPINUDP_CLASS_MALFORMED:
		if (fl.tuple_len || fl.spi)
			fail("hash input without a hash class", &fl);
		break;
	case ESPINUDP_CLASS_FRAGMENT:
		if ((fl.tuple_len != 8 && fl.tuple_len != 32) || fl.spi)
			fail("fragment is not a 2-tuple", &fl);
		break;
	case ESPINUDP_CLASS_KEEPALIVE:
	case ESPINUDP_CLASS_IKE:
	case ESPINUDP_CLASS_UDP:
		if ((fl.tuple_len != 12 && fl.tuple_len != 36) || fl.spi)
			fail("not a 4-tuple", &fl);
		break;
	case ESPINUDP_CLASS_ESP:
		if ((fl.tuple_len != 16 && fl.tuple_len != 40) || !fl.spi ||
		    memcmp(fl.tuple + fl.tuple_len - 4, &fl.spi, 4))
			fail("esp tuple is not 4-tuple + SPI", &fl);
		break;
	default:
		fail("unknown class", &fl);
	}
	if (fl.tuple_len &&
	    espinudp_flow_hash(&tz, &fl) !=
	    espinudp_toeplitz_ref(key, fl.tuple, fl.tuple_len))
		fail("table hash != bit-serial reference", &fl);
	return 0;
}
