/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef X722_RSS_H
#define X722_RSS_H
#include <stdint.h>
#include <stddef.h>
uint32_t x722_toeplitz(const uint8_t *key, size_t keylen,
                       const uint8_t *data, size_t len);
#endif
