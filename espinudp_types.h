/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Type and byte-order shim for the i40e-espinudp core, so that the same
 * i40e_espinudp.c builds into the kernel module and into userspace (tools,
 * tests, fuzzing, bench).  Nothing else may be added here: no policy, no
 * rules, only types and unaligned big-endian reads.
 */
#ifndef _ESPINUDP_TYPES_H_
#define _ESPINUDP_TYPES_H_

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/compiler.h>
#include <linux/string.h>
#include <asm/byteorder.h>

#else /* !__KERNEL__ */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <endian.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#ifdef __CHECKER__
#define __bitwise	__attribute__((bitwise))
#define __force		__attribute__((force))
#else
#define __bitwise
#define __force
#endif

typedef u16 __bitwise __be16;
typedef u32 __bitwise __be32;

#define cpu_to_be16(x)	((__force __be16)htobe16(x))
#define cpu_to_be32(x)	((__force __be32)htobe32(x))
#define be16_to_cpu(x)	be16toh((__force u16)(x))
#define be32_to_cpu(x)	be32toh((__force u32)(x))

#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

#endif /* __KERNEL__ */

/*
 * Unaligned network-order reads.  memcpy() of a constant size compiles to
 * a single load in both worlds and keeps sparse's endianness checks intact.
 */
static inline __be16 espinudp_read_be16(const u8 *p)
{
	__be16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline __be32 espinudp_read_be32(const u8 *p)
{
	__be32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u16 espinudp_get_be16(const u8 *p)
{
	return be16_to_cpu(espinudp_read_be16(p));
}

static inline u32 espinudp_get_be32(const u8 *p)
{
	return be32_to_cpu(espinudp_read_be32(p));
}

#endif /* _ESPINUDP_TYPES_H_ */
