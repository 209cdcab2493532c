/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder, replaced by the model */
#include "qemu/osdep.h"
