/* SPDX-License-Identifier: GPL-2.0 */
/* kbuild cannot build a composite module from a source of the same name */
#include "i40e_espinudp.c"
