// SPDX-License-Identifier: GPL-2.0
/*
 * espinudp-hash: which RX queue will my NAT-T traffic land on?
 *
 * Reads an Ethernet pcap and runs every frame through the very core the
 * i40e_espinudp module runs (../i40e_espinudp.c, compiled in): class, SPI,
 * Toeplitz hash with the device's key, and the queue from the device's
 * indirection table.  One line per frame on stdout:
 *
 *	frame<TAB>class<TAB>spi<TAB>hash<TAB>queue
 *
 * and a per-queue histogram of ESP frames on stderr.
 */
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "i40e_espinudp.h"

#define EXIT_USAGE	2
#define MAX_QUEUES	256	/* LUT entries are one byte */

static const char *prog = "espinudp-hash";

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [options] FILE.pcap\n"
"\n"
"Predict the RSS hash and RX queue the i40e_espinudp module gives each\n"
"ESP-in-UDP (NAT-T) frame of an Ethernet pcap (\"-\" reads stdin).\n"
"\n"
"stdout, one line per frame:  frame<TAB>class<TAB>spi<TAB>hash<TAB>queue\n"
"  frame counts from 1; class is esp, ike, keepalive, udp, fragment, other\n"
"  or malformed; spi (esp only) and hash are 8 hex digits; queue is decimal;\n"
"  '-' where a field does not apply (other and malformed get no hash).\n"
"stderr: the number of esp frames per queue.\n"
"\n"
"Key (required, one of):\n"
"  --key HEX         52 bytes (or 40, zero-extended); colons/spaces allowed\n"
"  --key-file F      the aa:bb:.. format of /proc/sys/net/core/netdev_rss_key\n"
"                    (i40e's key until ethtool -X sets one), or `ethtool -x`\n"
"                    output with an \"RSS hash key:\" block\n"
"  --lut-file F      also supplies the key when F is `ethtool -x` output with\n"
"                    a key and no --key/--key-file is given\n"
"Indirection table (LUT):\n"
"  --lut-file F      `ethtool -x ethX` output (the \"  0:  0 1 2 ...\" lines);\n"
"                    its size must be a power of two up to 512\n"
"  --queues N        lut[i] = i %% N, like i40e's default table (1..%d;\n"
"                    default: the number of online CPUs, as i40e's rss_size)\n"
"  --lut-size N      LUT entries, a power of two 1..512 (default 512, X722)\n"
"Classification:\n"
"  --port P          a UDP destination port treated as NAT-T; repeat for up\n"
"                    to %d ports (default: 4500, as the module's ports=)\n"
"  -h, --help        this text\n"
"\n"
"Example:  ethtool -x eth0 > rss.txt; %s --lut-file rss.txt cap.pcap\n"
"Exit status: 0 ok, 2 bad usage or input.\n",
		prog, MAX_QUEUES, ESPINUDP_MAX_PORTS, prog);
}

static void __attribute__((noreturn)) __attribute__((format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static char *slurp(const char *path)
{
	size_t n = 0, cap = 4096, r;
	char *buf = malloc(cap + 1);
	FILE *f = fopen(path, "r");

	if (!f || !buf)
		die("cannot read %s: %m", path);
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				die("out of memory");
		}
	}
	if (ferror(f))
		die("cannot read %s: %m", path);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parse hex bytes (colons, spaces, an optional 0x); returns the count */
static int parse_key(const char *s, const char *what, u8 *key)
{
	int n = 0, hi, lo;

	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (*s) {
		if (*s == ':' || isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0)
			die("%s: not a hex key near \"%.8s\"", what, s);
		if (n == ESPINUDP_KEY_LEN)
			die("%s: key longer than %d bytes", what,
			    ESPINUDP_KEY_LEN);
		key[n++] = hi << 4 | lo;
		s += 2;
	}
	if (n != ESPINUDP_KEY_LEN && n != ESPINUDP_KEY_LEN_STD)
		die("%s: key is %d bytes, want %d (or %d, zero-extended)",
		    what, n, ESPINUDP_KEY_LEN, ESPINUDP_KEY_LEN_STD);
	return n;
}

/*
 * The line after "RSS hash key:" in `ethtool -x` output, or NULL.
 * Returned in place (the line is NUL-terminated).
 */
static char *ethtool_key(char *text)
{
	char *p = strstr(text, "RSS hash key:"), *e;

	if (!p)
		return NULL;
	p += strlen("RSS hash key:");
	while (isspace((unsigned char)*p))
		p++;
	e = strchr(p, '\n');
	if (e)
		*e = 0;
	return hexval(p[0]) >= 0 && hexval(p[1]) >= 0 ? p : NULL;
}

/* An unsigned decimal in [lo, hi], else die */
static unsigned long number(const char *s, const char *what,
			    unsigned long lo, unsigned long hi)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		die("bad %s \"%s\"", what, s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		die("bad %s \"%s\" (want %lu..%lu)", what, s, lo, hi);
	return v;
}

static bool pow2(unsigned long v)
{
	return v && !(v & (v - 1));
}

/*
 * `ethtool -x` indirection table: lines "<index>: <q> <q> ...", the index
 * counting every entry so far.  Stops at "RSS hash key:".
 */
static unsigned int parse_lut(char *text, const char *path, u8 *lut)
{
	unsigned int n = 0, lineno = 0;
	char *line, *save, *p, *end;
	unsigned long idx, q;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (strstr(line, "RSS hash key:"))
			break;
		p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!isdigit((unsigned char)*p))
			continue;	/* heading or other text */
		idx = strtoul(p, &end, 10);
		if (*end != ':' || !isspace((unsigned char)end[1]))
			continue;
		if (idx != n)
			die("%s:%u: LUT index %lu, expected %u", path, lineno,
			    idx, n);
		p = end + 1;
		for (;;) {
			while (isspace((unsigned char)*p))
				p++;
			if (!*p)
				break;
			if (!isdigit((unsigned char)*p))
				die("%s:%u: bad LUT entry \"%s\"", path, lineno,
				    p);
			q = strtoul(p, &end, 10);
			if (q >= MAX_QUEUES)
				die("%s:%u: queue %lu out of range", path,
				    lineno, q);
			if (n == ESPINUDP_LUT_MAX)
				die("%s: more than %d LUT entries", path,
				    ESPINUDP_LUT_MAX);
			lut[n++] = q;
			p = end;
		}
	}
	if (!n)
		die("%s: no indirection table (ethtool -x output) found", path);
	if (!pow2(n))
		die("%s: LUT has %u entries, not a power of two", path, n);
	return n;
}

static long online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return n > MAX_QUEUES ? MAX_QUEUES : n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "key-file", required_argument, NULL, 'K' },
		{ "queues", required_argument, NULL, 'q' },
		{ "lut-size", required_argument, NULL, 's' },
		{ "lut-file", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_arg = NULL, *key_file = NULL, *lut_file = NULL;
	unsigned long queues = 0, lut_size = 0, hist[MAX_QUEUES] = { 0 };
	unsigned long frames = 0, esp = 0, cut = 0, i, maxq;
	char err[PCAP_ERRBUF_SIZE], *text, *k;
	static struct espinudp_toeplitz tz;
	u8 key[ESPINUDP_KEY_LEN] = { 0 };
	u8 lut[ESPINUDP_LUT_MAX] = { 0 };
	struct espinudp_ports ports = { .n = 0 };
	struct espinudp_flow fl;
	struct pcap_pkthdr *ph;
	const u_char *data;
	int c, klen = 0, rc;
	pcap_t *pc;
	u32 hash, q;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key_arg = optarg;
			break;
		case 'K':
			key_file = optarg;
			break;
		case 'q':
			queues = number(optarg, "--queues", 1, MAX_QUEUES);
			break;
		case 's':
			lut_size = number(optarg, "--lut-size", 1,
					  ESPINUDP_LUT_MAX);
			if (!pow2(lut_size))
				die("--lut-size %lu is not a power of two",
				    lut_size);
			break;
		case 'l':
			lut_file = optarg;
			break;
		case 'p':
			if (ports.n == ESPINUDP_MAX_PORTS)
				die("at most %d --port options",
				    ESPINUDP_MAX_PORTS);
			ports.port[ports.n++] = number(optarg, "--port", 1,
						       65535);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!ports.n)
		espinudp_ports_default(&ports);
	if (key_arg && key_file)
		die("give one of --key and --key-file");
	if (lut_file && queues)
		die("give one of --lut-file and --queues");

	if (key_arg) {
		klen = parse_key(key_arg, "--key", key);
	} else if (key_file) {
		text = slurp(key_file);
		k = ethtool_key(text);
		klen = parse_key(k ? k : text, key_file, key);
		free(text);
	}
	if (lut_file) {
		unsigned int n;

		text = slurp(lut_file);
		k = ethtool_key(text);
		if (!klen && k)
			klen = parse_key(k, lut_file, key);
		free(text);
		/* ethtool_key() cut the text; parse a fresh copy */
		text = slurp(lut_file);
		n = parse_lut(text, lut_file, lut);
		free(text);
		if (lut_size && lut_size != n)
			die("--lut-size %lu but %s has %u entries", lut_size,
			    lut_file, n);
		lut_size = n;
	} else {
		if (!lut_size)
			lut_size = ESPINUDP_LUT_MAX;
		if (!queues)
			queues = online_cpus();
		for (i = 0; i < lut_size; i++)
			lut[i] = i % queues;
	}
	if (!klen)
		die("no RSS key: give --key, --key-file %s, or an ethtool -x --lut-file with a key",
		    "(e.g. /proc/sys/net/core/netdev_rss_key)");
	if (espinudp_toeplitz_init(&tz, key, klen))
		die("bad key length %d", klen);

	pc = pcap_open_offline(argv[optind], err);
	if (!pc)
		die("%s", err);
	if (pcap_datalink(pc) != DLT_EN10MB)
		die("%s: link type %s, not Ethernet", argv[optind],
		    pcap_datalink_val_to_name(pcap_datalink(pc)) ?: "unknown");

	while ((rc = pcap_next_ex(pc, &ph, &data)) == 1) {
		frames++;
		if (ph->caplen < ph->len)
			cut++;
		espinudp_classify_eth(data, ph->caplen, &ports, &fl);
		printf("%lu\t%s\t", frames, espinudp_class_name(fl.cls));
		if (fl.cls == ESPINUDP_CLASS_ESP)
			printf("%08x\t", be32_to_cpu(fl.spi));
		else
			printf("-\t");
		if (!fl.tuple_len) {
			printf("-\t-\n");
			continue;
		}
		hash = espinudp_flow_hash(&tz, &fl);
		q = espinudp_queue(lut, lut_size, hash);
		printf("%08x\t%u\n", hash, q);
		if (fl.cls == ESPINUDP_CLASS_ESP) {
			hist[q]++;
			esp++;
		}
	}
	if (rc == PCAP_ERROR)
		die("%s: %s", argv[optind], pcap_geterr(pc));
	pcap_close(pc);
	if (fflush(stdout))
		die("write error: %m");

	if (cut)
		fprintf(stderr, "# %lu frames were cut short by the capture's snaplen: only captured bytes are classified (a cut IP datagram is malformed); capture with tcpdump -s 0\n",
			cut);
	maxq = 0;
	for (i = 0; i < lut_size; i++)
		if (lut[i] > maxq)
			maxq = lut[i];
	fprintf(stderr, "# esp frames per queue (%lu esp of %lu frames, LUT %lu entries)\n",
		esp, frames, lut_size);
	for (i = 0; i <= maxq; i++) {
		unsigned long bar = esp ? (hist[i] * 50 + esp - 1) / esp : 0;

		fprintf(stderr, "queue %3lu %8lu ", i, hist[i]);
		while (bar--)
			fputc('#', stderr);
		fputc('\n', stderr);
	}
	return 0;
}
