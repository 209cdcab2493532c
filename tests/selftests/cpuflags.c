// SPDX-License-Identifier: GPL-2.0
/*
 * cpuflags: does the (emulated) CPU report the right RFLAGS after
 * cmpxchg8b and cmpxchg16b?  Prints one "ok N - ..." line per case
 * (nested TAP, as the selftests' check()), exits 1 on a wrong value.
 *
 * QEMU 7.2's TCG computed the flags of both instructions from a stale
 * cc_op (tests/qemu/x722/qemu-patches/0001-*.patch).  After a popfq (the
 * translation block ends there, cc_op is "EFLAGS") and a SUB in the same
 * block, the SUB's operand was taken for the flags: a guest kernel then
 * ran with TF, NT, IOPL or reserved bits set after SLUB's
 * this_cpu_cmpxchg16b, and died.  Each case here runs that sequence with
 * an operand of reserved RFLAGS bits (22-29: no effect on execution) and
 * checks RFLAGS afterwards: ZF as the comparison says, the SUB's other
 * arithmetic flags, and no bit that neither instruction sets.
 */
#include <stdint.h>
#include <stdio.h>

#define ARITH	0x8d5UL		/* CF PF AF ZF SF OF */
#define ZF	0x40UL
#define PF	0x04UL
#define RESERVED 0x3fc00000UL	/* bits 22-29 */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct m16 {
	uint64_t lo, hi;
} __attribute__((aligned(16)));

static unsigned long cx16(uint64_t cmp_lo, uint64_t junk, struct m16 *m)
{
	uint64_t rax = cmp_lo, rdx = 0, rbx = 7, rcx = 8;
	unsigned long flags;

	asm volatile("pushfq\n\t"
		     "popfq\n\t"		/* ends QEMU's TB: cc_op EFLAGS */
		     "movq %[j], %%r8\n\t"
		     "movq %%r8, %%r9\n\t"
		     "subq %%r8, %%r9\n\t"	/* cc_src := junk, result 0 */
		     "cmpxchg16b %[m]\n\t"
		     "pushfq\n\t"
		     "popq %[f]"
		     : [f] "=&r" (flags), "+a" (rax), "+d" (rdx), [m] "+m" (*m)
		     : "b" (rbx), "c" (rcx), [j] "r" (junk)
		     : "r8", "r9", "cc", "memory");
	return flags;
}

static unsigned long cx8(uint32_t cmp_lo, uint64_t junk, uint64_t *m)
{
	uint32_t eax = cmp_lo, edx = 0, ebx = 7, ecx = 8;
	unsigned long flags;

	asm volatile("pushfq\n\t"
		     "popfq\n\t"
		     "movq %[j], %%r8\n\t"
		     "movq %%r8, %%r9\n\t"
		     "subq %%r8, %%r9\n\t"
		     "cmpxchg8b %[m]\n\t"
		     "pushfq\n\t"
		     "popq %[f]"
		     : [f] "=&r" (flags), "+a" (eax), "+d" (edx), [m] "+m" (*m)
		     : "b" (ebx), "c" (ecx), [j] "r" (junk)
		     : "r8", "r9", "cc", "memory");
	return flags;
}

static int n, failed;

static void check(const char *insn, int equal, unsigned long f)
{
	/* SUB x,x: ZF PF set, CF AF SF OF clear; then ZF := equal */
	unsigned long want = PF | (equal ? ZF : 0);
	int ok = (f & ARITH) == want && !(f & RESERVED) &&
		 !(f & 0x4100UL);	/* NT, TF */

	n++;
	printf("%sok %d - %s, %s: RFLAGS %#lx (arithmetic %#lx, want %#lx; reserved bits %#lx)\n",
	       ok ? "" : "not ", n, insn, equal ? "equal" : "not equal",
	       f, f & ARITH, want, f & RESERVED);
	failed |= !ok;
}

int main(void)
{
	static const uint64_t junk[] = { RESERVED, 0x07c00000UL, 0x15400000UL };
	struct m16 m16;
	uint64_t m8;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(junk); i++) {
		m16.lo = 5;
		m16.hi = 0;
		check("cmpxchg16b", 1, cx16(5, junk[i], &m16));
		check("cmpxchg16b", 0, cx16(6, junk[i], &m16));
		m8 = 5;
		check("cmpxchg8b", 1, cx8(5, junk[i], &m8));
		check("cmpxchg8b", 0, cx8(6, junk[i], &m8));
	}
	return failed;
}
