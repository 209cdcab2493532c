// SPDX-License-Identifier: GPL-2.0
/*
 * smc: cross-modifying code as Linux's text_poke_bp() does it, from user
 * space, to check that the CPU under the guest never runs code older than
 * what another CPU wrote and published.
 *
 * A writer thread rewrites the immediate of "mov $imm32, %eax; ret" in an
 * RWX page with increasing values, publishing each value after its write
 * (store-release).  Reader threads, on the other CPUs, call the function
 * in a tight loop, so that they keep translating it while it is written;
 * each call is preceded by an acquire load of the published value and a
 * serializing CPUID, as the SDM's cross-modifying-code protocol asks.  A
 * call that returns less than the value published before it ran old code.
 *
 * QEMU 7.2's TCG linked a block translated from the old bytes when the
 * write landed between its translation and its linking; the block then
 * ran until the next write (tests/qemu/x722/qemu-patches/0002-*).
 *
 * Usage: smc [seconds] [readers].  Prints one line; exit 0 when no call
 * ran stale code, 1 when one did, 2 on a setup error.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_READERS 16

typedef uint32_t (*fn_t)(void);

static uint8_t *code;
static uint32_t published;
static volatile int stop;
static unsigned long calls[MAX_READERS], stale[MAX_READERS];
static uint32_t first_stale_got, first_stale_want;

static void serialize(void)
{
	uint32_t a = 0, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *reader(void *arg)
{
	long id = (long)arg;
	fn_t f = (fn_t)(void *)code;

	pin(id + 1);
	while (!stop) {
		uint32_t want = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
		uint32_t got;

		serialize();
		got = f();
		calls[id]++;
		if (got < want) {
			if (!stale[id]++ && !first_stale_want) {
				first_stale_got = got;
				first_stale_want = want;
			}
		}
	}
	return NULL;
}

static void spin_ns(long ns)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec < ns);
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 10;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nread = argc > 2 ? atoi(argv[2]) : (int)ncpu - 1;
	pthread_t th[MAX_READERS];
	unsigned long tot_calls = 0, tot_stale = 0;
	uint32_t v = 1;
	time_t end;
	long i;

	if (nread < 1 || nread > MAX_READERS) {
		fprintf(stderr, "smc: need 1..%d readers (CPUs online: %ld)\n",
			MAX_READERS, ncpu);
		return 2;
	}
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED) {
		perror("smc: mmap RWX");
		return 2;
	}
	/* mov $1, %eax; ret */
	code[0] = 0xb8;
	memcpy(code + 1, &v, 4);
	code[5] = 0xc3;
	__atomic_store_n(&published, v, __ATOMIC_RELEASE);

	pin(0);
	for (i = 0; i < nread; i++)
		pthread_create(&th[i], NULL, reader, (void *)i);
	end = time(NULL) + secs;
	while (time(NULL) < end) {
		v++;
		memcpy(code + 1, &v, 4);
		__atomic_store_n(&published, v, __ATOMIC_RELEASE);
		/* let the readers run the new code before the next write */
		spin_ns(20000);
	}
	stop = 1;
	for (i = 0; i < nread; i++) {
		pthread_join(th[i], NULL);
		tot_calls += calls[i];
		tot_stale += stale[i];
	}
	printf("smc: %u writes, %lu calls on %d readers, %lu ran stale code",
	       v - 1, tot_calls, nread, tot_stale);
	if (tot_stale)
		printf(" (first: returned %u after %u was published)",
		       first_stale_got, first_stale_want);
	printf("\n");
	return tot_stale ? 1 : 0;
}
