/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Register offsets and bit fields of the emulated Intel X722 (BAR0), as the
 * Linux i40e driver uses them (drivers/net/ethernet/intel/i40e/
 * i40e_register.h is the reference for the numbers).  Only the registers the
 * model gives behaviour to are named here; every other offset is plain
 * read/write storage.
 */
#ifndef X722_REGS_H
#define X722_REGS_H

/* admin queue (PF) */
#define X722_PF_ATQBAL          0x00080000
#define X722_PF_ATQBAH          0x00080100
#define X722_PF_ATQLEN          0x00080200
#define X722_PF_ATQH            0x00080300
#define X722_PF_ATQT            0x00080400
#define X722_PF_ARQBAL          0x00080080
#define X722_PF_ARQBAH          0x00080180
#define X722_PF_ARQLEN          0x00080280
#define X722_PF_ARQH            0x00080380
#define X722_PF_ARQT            0x00080480
#define X722_AQLEN_LEN_MASK     0x3ff
#define X722_AQLEN_VFE          (1u << 28)
#define X722_AQLEN_OVFL         (1u << 29)
#define X722_AQLEN_CRIT         (1u << 30)
#define X722_AQLEN_ENABLE       (1u << 31)

/* resets, NVM, general */
#define X722_GLGEN_RSTAT        0x000B8188
#define X722_GLGEN_RSTCTL       0x000B8180
#define X722_GLGEN_RTRIG        0x000B8190
#define X722_RTRIG_CORER        (1u << 0)
#define X722_RTRIG_GLOBR        (1u << 1)
#define X722_RTRIG_EMPFWR       (1u << 2)
#define X722_GLGEN_STAT         0x000B612C
#define X722_GLNVM_ULD          0x000B6008
#define X722_ULD_CORE_DONE      (1u << 3)
#define X722_ULD_GLOBAL_DONE    (1u << 4)
#define X722_PFGEN_CTRL         0x00092400
#define X722_PFGEN_CTRL_PFSWR   (1u << 0)
#define X722_GLNVM_GENS         0x000B6100
#define X722_GLNVM_FLA          0x000B6108
#define X722_GLNVM_FLA_LOCKED   (1u << 6)
#define X722_GLNVM_SRCTL        0x000B6110
#define X722_GLNVM_SRDATA       0x000B6114
#define X722_SRCTL_START        (1u << 30)
#define X722_SRCTL_DONE         (1u << 31)
#define X722_PFGEN_PORTNUM      0x001C0480
#define X722_PRTGEN_CNF         0x000B8120
#define X722_GLPCI_CAPSUP       0x000BE4A8
#define X722_GLPCI_CNF2         0x000BE494
#define X722_PF_FUNC_RID        0x0009C000
#define X722_PFLAN_QALLOC       0x001C0400
#define X722_PF_VT_PFALLOC      0x001C0500
#define X722_GLLAN_RCTL_0       0x0012A500
#define X722_GL_FWSTS           0x00083048
#define X722_GL_FWSTS_FWS1B_SHIFT 16
#define X722_GLGEN_STAT_CLEAR   0x00390004
#define X722_PRTGL_SAH          0x001E2140
#define X722_REG_MSS            0x000E64DC
#define X722_GLQF_FDEVICTENA1   0x00270388
#define X722_PRTDCB_GENS        0x00083020
#define X722_GLGEN_MISC_CONFIG  0x000B81C4
#define X722_PFGEN_STATE        0x00088000
#define X722_GLPCI_LBARCTRL     0x000BE484
#define X722_GL_MNG_FWSM        0x000B6134

/* LAN HMC */
#define X722_GLHMC_LANTXOBJSZ   0x000C2004
#define X722_GLHMC_LANQMAX      0x000C2008
#define X722_GLHMC_LANRXOBJSZ   0x000C200C
#define X722_GLHMC_FCOEMAX      0x000C2014
#define X722_GLHMC_FCOEDDPOBJSZ 0x000C2010
#define X722_GLHMC_FCOEFOBJSZ   0x000C2018
#define X722_GLHMC_FCOEFMAX     0x000C20D0
#define X722_GLHMC_LANTXBASE(i) (0x000C6200 + (i) * 4)
#define X722_GLHMC_LANTXCNT(i)  (0x000C6300 + (i) * 4)
#define X722_GLHMC_LANRXBASE(i) (0x000C6400 + (i) * 4)
#define X722_GLHMC_LANRXCNT(i)  (0x000C6500 + (i) * 4)
#define X722_PFHMC_SDCMD        0x000C0000
#define X722_PFHMC_SDDATALOW    0x000C0100
#define X722_PFHMC_SDDATAHIGH   0x000C0200
#define X722_PFHMC_PDINV        0x000C0300
#define X722_PFHMC_ERRORINFO    0x000C0400
#define X722_SDCMD_WR           (1u << 31)
#define X722_HMC_SD_SIZE        0x200000ull

/* interrupts */
#define X722_PFINT_ICR0         0x00038780
#define X722_PFINT_ICR0_ENA     0x00038800
#define X722_PFINT_DYN_CTL0     0x00038480
#define X722_PFINT_DYN_CTLN(i)  (0x00034800 + (i) * 4)
#define X722_PFINT_LNKLST0      0x00038500
#define X722_PFINT_LNKLSTN(i)   (0x00035000 + (i) * 4)
#define X722_PFINT_STAT_CTL0    0x00038400
#define X722_QINT_RQCTL(q)      (0x0003A000 + (q) * 4)
#define X722_QINT_TQCTL(q)      (0x0003C000 + (q) * 4)
#define X722_ICR0_INTEVENT      (1u << 0)
#define X722_ICR0_GRST          (1u << 20)
#define X722_ICR0_ADMINQ        (1u << 30)
#define X722_ICR0_SWINT         (1u << 31)
#define X722_DYN_INTENA         (1u << 0)
#define X722_DYN_CLEARPBA       (1u << 1)
#define X722_DYN_SWINT_TRIG     (1u << 2)
#define X722_DYN_INTENA_MSK     (1u << 31)
#define X722_DYN_ITR_INDX_SHIFT 3
#define X722_DYN_ITR_INDX_MASK  (3u << 3)
#define X722_DYN_INTERVAL_SHIFT 5
#define X722_ITR_NONE           3       /* ITR index: no throttling */
#define X722_ITR_INTERVAL_MASK  0xfff   /* in 2 us units */
#define X722_PFINT_ITR0(i)      (0x00038000 + (i) * 0x80)
#define X722_PFINT_ITRN(i, v)   (0x00030000 + (i) * 0x800 + (v) * 4)
#define X722_QINT_ITR_INDX_SHIFT 11
#define X722_QINT_MSIX_MASK     0xff
#define X722_QINT_CAUSE_ENA     (1u << 30)
#define X722_QINT_INTEVENT      (1u << 31)

/* LAN queues (PF-relative) */
#define X722_QTX_ENA(q)         (0x00100000 + (q) * 4)
#define X722_QTX_CTL(q)         (0x00104000 + (q) * 4)
#define X722_QTX_TAIL(q)        (0x00108000 + (q) * 4)
#define X722_QTX_HEAD(q)        (0x000E4000 + (q) * 4)
#define X722_QRX_ENA(q)         (0x00120000 + (q) * 4)
#define X722_QRX_TAIL(q)        (0x00128000 + (q) * 4)
#define X722_QENA_REQ           (1u << 0)
#define X722_QENA_FAST_QDIS     (1u << 1)
#define X722_QENA_STAT          (1u << 2)
#define X722_GLLAN_TXPRE_QDIS(i) (0x000E6500 + (i) * 4)

/* RSS */
#define X722_PFQF_HKEY(i)       (0x00244800 + (i) * 128)
#define X722_PFQF_HLUT(i)       (0x00240000 + (i) * 128)
#define X722_PFQF_HENA(i)       (0x00245900 + (i) * 128)
#define X722_PFQF_CTL_0         0x001C0AC0

/* statistics (per port i: stride 8; per VSI stat index i: stride 8) */
#define X722_GLPRT_GORCL(i)     (0x00300000 + (i) * 8)
#define X722_GLPRT_UPRCL(i)     (0x003005A0 + (i) * 8)
#define X722_GLPRT_MPRCL(i)     (0x003005C0 + (i) * 8)
#define X722_GLPRT_BPRCL(i)     (0x003005E0 + (i) * 8)
#define X722_GLPRT_RDPC(i)      (0x00300600 + (i) * 8)
#define X722_GLPRT_GOTCL(i)     (0x00300680 + (i) * 8)
#define X722_GLPRT_UPTCL(i)     (0x003009C0 + (i) * 8)
#define X722_GLPRT_MPTCL(i)     (0x003009E0 + (i) * 8)
#define X722_GLPRT_BPTCL(i)     (0x00300A00 + (i) * 8)
#define X722_GLPRT_PRC64L(i)    (0x00300480 + (i) * 8)
#define X722_GLPRT_PTC64L(i)    (0x003006A0 + (i) * 8)
#define X722_GLV_GORCL(i)       (0x00358000 + (i) * 8)
#define X722_GLV_UPRCL(i)       (0x0036C000 + (i) * 8)
#define X722_GLV_MPRCL(i)       (0x0036CC00 + (i) * 8)
#define X722_GLV_BPRCL(i)       (0x0036D800 + (i) * 8)
#define X722_GLV_RDPC(i)        (0x00310000 + (i) * 8)
#define X722_GLV_GOTCL(i)       (0x00328000 + (i) * 8)
#define X722_GLV_UPTCL(i)       (0x0033C000 + (i) * 8)
#define X722_GLV_MPTCL(i)       (0x0033CC00 + (i) * 8)
#define X722_GLV_BPTCL(i)       (0x0033D800 + (i) * 8)

#endif
