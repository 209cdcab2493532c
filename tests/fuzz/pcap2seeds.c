// SPDX-License-Identifier: GPL-2.0
/*
 * Write every frame of the given pcaps as a fuzzer seed (mode byte 0 =
 * classify_eth, then the captured bytes).  usage: pcap2seeds OUTDIR PCAP...
 */
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE], path[4096];
	struct pcap_pkthdr *ph;
	const u_char *data;
	int i, n, total = 0;
	pcap_t *pc;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OUTDIR PCAP...\n", argv[0]);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');

		pc = pcap_open_offline(argv[i], err);
		if (!pc) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		base = base ? base + 1 : argv[i];
		for (n = 1; pcap_next_ex(pc, &ph, &data) == 1; n++) {
			snprintf(path, sizeof(path), "%s/%s-%d", argv[1], base, n);
			f = fopen(path, "w");
			if (!f || fputc(0, f) == EOF ||
			    fwrite(data, 1, ph->caplen, f) != ph->caplen ||
			    fclose(f)) {
				perror(path);
				return 1;
			}
			total++;
		}
		pcap_close(pc);
	}
	printf("%d seeds\n", total);
	return 0;
}
