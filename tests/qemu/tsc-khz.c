// SPDX-License-Identifier: GPL-2.0
/*
 * tsc-khz: print this host's TSC frequency in kHz, for the guest's
 * tsc_early_khz= (run-guest.sh).  Under TCG the guest's RDTSC reads the
 * host's TSC, but the guest kernel calibrates it against the emulated
 * PIT, and a vCPU thread preempted during that calibration on a loaded
 * host gets it wrong by any factor (130.9 MHz for a 2096 MHz TSC was
 * seen): guest time then runs 16 times too fast and every watchdog
 * fires.  Measured against CLOCK_MONOTONIC_RAW over 200 ms, keeping the
 * tightest of several bracketed reads at each end, so that preemption
 * of this process does not matter either.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* a (ns, tsc) pair whose bracket [t0, t1] around the RDTSC is tightest */
static void sample(uint64_t *t, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 200; i++) {
		uint64_t t0 = ns(), c = __rdtsc(), t1 = ns();

		if (t1 - t0 < best) {
			best = t1 - t0;
			*t = t0 + (t1 - t0) / 2;
			*tsc = c;
		}
	}
}

int main(void)
{
	uint64_t t0, c0, t1, c1;
	struct timespec d = { 0, 200000000 };

	sample(&t0, &c0);
	nanosleep(&d, NULL);
	sample(&t1, &c1);
	if (t1 <= t0 || c1 <= c0)
		return 1;
	printf("%llu\n", (unsigned long long)((c1 - c0) * 1000000ull / (t1 - t0)));
	return 0;
}
