/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Toeplitz hash as used by the emulated X722's RSS.  Standalone (no QEMU
 * headers) so that tests/qemu/x722/toeplitz-test.c can link it directly.
 */
#include "x722_rss.h"

/*
 * For each set bit i of the input (MSB first), XOR in the 32 key bits
 * starting at key bit i.  The key is at least len + 4 bytes long for the
 * inputs the model hashes (52-byte key, <= 36-byte input).
 */
uint32_t x722_toeplitz(const uint8_t *key, size_t keylen,
                       const uint8_t *data, size_t len)
{
    uint32_t hash = 0;
    uint32_t window;
    size_t i;
    int b;

    if (keylen < 4) {
        return 0;
    }
    window = ((uint32_t)key[0] << 24) | ((uint32_t)key[1] << 16) |
             ((uint32_t)key[2] << 8) | key[3];
    for (i = 0; i < len; i++) {
        uint8_t next = (i + 4 < keylen) ? key[i + 4] : 0;
        for (b = 7; b >= 0; b--) {
            if (data[i] & (1u << b)) {
                hash ^= window;
            }
            window = (window << 1) | ((next >> b) & 1);
        }
    }
    return hash;
}
