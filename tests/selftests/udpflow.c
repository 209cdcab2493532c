// SPDX-License-Identifier: GPL-2.0
/*
 * udpflow: numbered UDP flows for the i40e_espinudp selftests (static).
 *
 *   udpflow encap
 *	Open the NAT-T sockets (UDP 4500, IPv4 and IPv6, UDP_ENCAP_ESPINUDP)
 *	that make the kernel decapsulate ESP-in-UDP, and sleep.
 *   udpflow send <local> <peer> <port> <flows> <count> [gap_us]
 *	Flow i goes from <local>:<port+i> to <peer>:<port+i>; each datagram
 *	carries (flow, seq).  Flows are interleaved, one datagram per flow
 *	per round, gap_us between rounds.
 *   udpflow recv <local> <peer> <port> <flows> <count> <idle_ms>
 *	One connected socket per flow; stop when every flow has <count>
 *	datagrams or nothing came for idle_ms since the last datagram (60 s
 *	before the first one).  Reports per flow the
 *	received, lost, reordered and duplicate datagrams and the CPUs that
 *	delivered them (SO_INCOMING_CPU, kept by connected UDP sockets),
 *	and per CPU the datagrams delivered.  Exit 0 whatever the result;
 *	the shell judges.
 *   udpflow capture <ifname> <out.pcap> <spis> <timeout_ms>
 *	Write to a pcap the first received ESP-in-UDP (port 4500) frame of
 *	each SPI, until <spis> SPIs were seen or the timeout; the frames are
 *	then fed to tools/espinudp-hash for the queue prediction.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef SO_INCOMING_CPU
#define SO_INCOMING_CPU 49
#endif

#define MAX_FLOWS	4096
#define MAX_CPUS	64

struct hdr {
	uint32_t flow;
	uint32_t seq;
};

struct flow {
	int fd;
	uint32_t recv, next, reord, dup, max;
	uint64_t cpus;
	int cpu;
};

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static int mkaddr(const char *ip, int port, struct sockaddr_storage *ss,
		  socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return AF_INET6;
	}
	fprintf(stderr, "bad address %s\n", ip);
	exit(2);
}

static int flow_socket(const char *local, const char *peer, int port,
		       int rcvbuf)
{
	struct sockaddr_storage la, pa;
	socklen_t ll, pl;
	int fam, fd, one = 1;

	fam = mkaddr(local, port, &la, &ll);
	mkaddr(peer, port, &pa, &pl);
	fd = socket(fam, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			   sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&la, ll))
		die("bind");
	if (connect(fd, (struct sockaddr *)&pa, pl))
		die("connect");
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int do_encap(void)
{
	int type = UDP_ENCAP_ESPINUDP, one = 1, fam;

	for (fam = 0; fam < 2; fam++) {
		struct sockaddr_storage ss;
		socklen_t len;
		int fd;

		mkaddr(fam ? "::" : "0.0.0.0", 4500, &ss, &len);
		fd = socket(ss.ss_family, SOCK_DGRAM, 0);
		if (fd < 0)
			die("socket");
		if (fam)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				   sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, len))
			die("bind 4500");
		if (setsockopt(fd, SOL_UDP, UDP_ENCAP, &type, sizeof(type)))
			die("UDP_ENCAP");
	}
	printf("encap ready\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

static int do_send(char **argv, int argc)
{
	int port = atoi(argv[2]), nf = atoi(argv[3]), count = atoi(argv[4]);
	int gap = argc > 5 ? atoi(argv[5]) : 0;
	unsigned long long sent = 0, errs = 0;
	static int fds[MAX_FLOWS];
	long long t0;
	struct hdr h;
	char buf[64];
	int i, s;

	if (nf < 1 || nf > MAX_FLOWS)
		return 2;
	for (i = 0; i < nf; i++)
		fds[i] = flow_socket(argv[0], argv[1], port + i, 0);
	memset(buf, 0xa5, sizeof(buf));
	printf("send start\n");
	fflush(stdout);
	t0 = now_ms();
	for (s = 0; s < count; s++) {
		for (i = 0; i < nf; i++) {
			h.flow = htonl(i);
			h.seq = htonl(s);
			memcpy(buf, &h, sizeof(h));
			while (send(fds[i], buf, sizeof(buf), 0) < 0) {
				if (errno != ENOBUFS && errno != EAGAIN) {
					if (!errs)
						fprintf(stderr, "send flow %d: %s\n",
							i, strerror(errno));
					errs++;
					break;
				}
				usleep(100);
			}
			sent++;
		}
		if (gap)
			usleep(gap);
	}
	printf("sent %llu errors %llu ms %lld\n", sent, errs, now_ms() - t0);
	return 0;
}

static int do_recv(char **argv)
{
	int port = atoi(argv[2]), nf = atoi(argv[3]), count = atoi(argv[4]);
	unsigned long long percpu[MAX_CPUS] = { 0 };
	unsigned long long tot = 0, lost = 0, reord = 0, dup = 0;
	int idle = atoi(argv[5]), i, done = 0, got = 0;
	static struct pollfd pfd[MAX_FLOWS];
	static struct flow fl[MAX_FLOWS];
	long long last;

	if (nf < 1 || nf > MAX_FLOWS)
		return 2;
	for (i = 0; i < nf; i++) {
		fl[i].fd = flow_socket(argv[0], argv[1], port + i, 1 << 20);
		fl[i].cpu = -1;
		pfd[i].fd = fl[i].fd;
		pfd[i].events = POLLIN;
	}
	printf("recv ready\n");
	fflush(stdout);
	last = now_ms();
	while (done < nf) {
		int n = poll(pfd, nf, 100);

		if (n < 0 && errno != EINTR)
			die("poll");
		if (n <= 0) {
			if (now_ms() - last > (got ? idle : 60000))
				break;
			continue;
		}
		last = now_ms();
		got = 1;
		for (i = 0; i < nf; i++) {
			struct flow *f = &fl[i];
			struct hdr h;
			socklen_t ol;
			uint32_t seq;
			int cpu;

			if (!(pfd[i].revents & POLLIN))
				continue;
			while (recv(f->fd, &h, sizeof(h), MSG_DONTWAIT) ==
			       sizeof(h)) {
				seq = ntohl(h.seq);
				ol = sizeof(cpu);
				if (!getsockopt(f->fd, SOL_SOCKET,
						SO_INCOMING_CPU, &cpu, &ol) &&
				    cpu >= 0 && cpu < MAX_CPUS) {
					f->cpus |= 1ULL << cpu;
					if (f->cpu < 0)
						f->cpu = cpu;
					percpu[cpu]++;
				}
				if (ntohl(h.flow) != (uint32_t)i) {
					f->dup++;	/* misdelivered */
					continue;
				}
				if (f->recv && seq < f->next) {
					if (seq + 1 == f->next || seq < f->max)
						f->reord++;
					else
						f->dup++;
				}
				if (seq >= f->next)
					f->next = seq + 1;
				if (seq > f->max)
					f->max = seq;
				f->recv++;
				if (f->recv == (uint32_t)count)
					done++;
			}
		}
	}
	for (i = 0; i < nf; i++) {
		struct flow *f = &fl[i];
		long l = (long)count - f->recv + f->dup;

		if (l < 0)
			l = 0;
		printf("flow %d port %d recv %u lost %ld reordered %u dup %u ncpus %d cpu %d\n",
		       i, port + i, f->recv, l, f->reord, f->dup,
		       __builtin_popcountll(f->cpus), f->cpu);
		tot += f->recv;
		lost += l;
		reord += f->reord;
		dup += f->dup;
	}
	for (i = 0; i < MAX_CPUS; i++)
		if (percpu[i])
			printf("cpu %d %llu\n", i, percpu[i]);
	printf("total recv %llu lost %llu reordered %llu dup %llu\n",
	       tot, lost, reord, dup);
	return 0;
}

static int do_capture(char **argv)
{
	struct pcap_hdr { uint32_t magic; uint16_t maj, min; int32_t tz;
			  uint32_t sig, snap, link; } gh = {
		0xa1b2c3d4, 2, 4, 0, 0, 65535, 1 };
	struct { uint32_t sec, usec, incl, orig; } rh;
	int nspi = atoi(argv[2]), tmo = atoi(argv[3]), seen = 0, fd, i;
	static uint32_t spis[MAX_FLOWS];
	struct sockaddr_ll sll = { 0 };
	unsigned char buf[2048];
	long long end;
	FILE *out;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		die("AF_PACKET");
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = if_nametoindex(argv[0]);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind AF_PACKET");
	out = fopen(argv[1], "w");
	if (!out)
		die("pcap");
	fwrite(&gh, sizeof(gh), 1, out);
	printf("capture ready\n");
	fflush(stdout);
	end = now_ms() + tmo;
	while (seen < nspi && seen < MAX_FLOWS && now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		unsigned int off, l4;
		struct timespec ts;
		uint32_t spi;
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fl);
		if (n < 14 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (buf[12] == 0x08 && buf[13] == 0x00) {
			if (n < 34 || buf[23] != 17)
				continue;
			off = 14 + (buf[14] & 0xf) * 4;
		} else if (buf[12] == 0x86 && buf[13] == 0xdd) {
			if (n < 54 || buf[20] != 17)
				continue;
			off = 54;
		} else {
			continue;
		}
		l4 = off + 8;
		/*
		 * ESP: a UDP payload of 8 bytes or more (SPI, sequence).  The
		 * UDP length, not the frame's: a NIC pads a 1-byte NAT
		 * keepalive to 60 bytes, and the padding is no SPI.
		 */
		if (n < l4 + 8 || buf[off + 2] != 0x11 || buf[off + 3] != 0x94 ||
		    ((buf[off + 4] << 8) | buf[off + 5]) < 16)
			continue;
		memcpy(&spi, buf + l4, 4);
		if (!spi)
			continue;
		for (i = 0; i < seen && spis[i] != spi; i++)
			;
		if (i < seen)
			continue;
		spis[seen++] = spi;
		clock_gettime(CLOCK_REALTIME, &ts);
		rh.sec = ts.tv_sec;
		rh.usec = ts.tv_nsec / 1000;
		rh.incl = rh.orig = n;
		fwrite(&rh, sizeof(rh), 1, out);
		fwrite(buf, n, 1, out);
	}
	fclose(out);
	printf("captured %d spis\n", seen);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "encap"))
		return do_encap();
	if (argc >= 7 && !strcmp(argv[1], "send"))
		return do_send(argv + 2, argc - 2);
	if (argc >= 8 && !strcmp(argv[1], "recv"))
		return do_recv(argv + 2);
	if (argc >= 6 && !strcmp(argv[1], "capture"))
		return do_capture(argv + 2);
	fprintf(stderr,
		"usage: udpflow encap\n"
		"       udpflow send <local> <peer> <port> <flows> <count> [gap_us]\n"
		"       udpflow recv <local> <peer> <port> <flows> <count> <idle_ms>\n"
		"       udpflow capture <ifname> <out.pcap> <spis> <timeout_ms>\n");
	return 2;
}
