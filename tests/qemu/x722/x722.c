/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emulated Intel Ethernet Connection X722 (8086:37D0, 10GbE SFP+), one LAN
 * physical function per QEMU device.  Two functions of one slot make the
 * two ports of a device:
 *
 *   -netdev hubport,id=p0,hubid=7 -netdev hubport,id=p1,hubid=7
 *   -device x722,addr=4.0,multifunction=on,netdev=p0
 *   -device x722,addr=4.1,netdev=p1
 *
 * Written for the i40e-espinudp project (tests/qemu/x722) so that Debian's
 * own, unmodified i40e driver runs on it.  What the model answers follows
 * what the Linux i40e driver expects (its sources are the specification);
 * where the driver does not say what hardware does, the choice is written
 * down next to the code.
 *
 * Pieces: BAR0 register file (4 MiB, every offset is storage, the registers
 * in x722_regs.h have behaviour), the admin queue (ATQ/ARQ) with the
 * firmware commands probe and runtime use, the shadow RAM (NVM) read over
 * the AQ and GLNVM_SRCTL, the LAN HMC (queue contexts read from the host
 * pages the driver programs through PFHMC_SD*), TX/RX descriptor rings,
 * MSI-X with INTENA/SWINT semantics, RSS (52-byte key, 512-entry LUT,
 * PCTYPE hash enables, Toeplitz) including the NAT-T quirk of the original
 * bug report, port/VSI statistics, PF/CORE/GLOBAL reset and FLR.
 *
 * Bad input from the guest never aborts QEMU: DMA failures stop the queue
 * (or fail the AQ command with an error code) and are logged with
 * LOG_GUEST_ERROR.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/range.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "net/net.h"
#include "net/eth.h"
#include "net/checksum.h"
#include "sysemu/dma.h"
#include "qemu/crc32c.h"
#include "x722_regs.h"
#include "x722_rss.h"
#include "trace.h"

#define TYPE_X722 "x722"
OBJECT_DECLARE_SIMPLE_TYPE(X722State, X722)

#define X722_VENDOR         0x8086
#define X722_DEVICE_SFP     0x37D0
#define X722_BAR0_SIZE      (4 * MiB)
#define X722_MSIX_BAR_SIZE  (64 * KiB)
#define X722_NUM_QP         32          /* LAN queue pairs per PF */
#define X722_NUM_VECTORS    33          /* misc + one per queue pair */
#define X722_MAX_VSI        16
#define X722_MAX_FILTERS    128
#define X722_SR_WORDS       0x8000      /* 64 KiB shadow RAM */
#define X722_MAX_SD         64
#define X722_RSS_KEY_LEN    52
#define X722_PF_LUT_SIZE    512
#define X722_VSI_LUT_SIZE   64
#define X722_MAX_FRAME      9728
/* the RX packet buffer per port (the model's choice; see the README) */
#define X722_RX_PKTBUF      (4 * 1024 * 1024)
#define X722_AQ_BUF_MAX     4096
#define X722_TX_BUF_MAX     (256 * KiB)

/* firmware identity reported over the AQ and in the shadow RAM */
#define X722_FW_MAJOR       6
#define X722_FW_MINOR       1
#define X722_FW_BUILD       0x5a1d
#define X722_API_MAJOR      1
#define X722_API_MINOR      12
#define X722_NVM_VERSION    0x6001      /* "6.01" in ethtool -i */
#define X722_EETRACK        0x80003c64

/* admin queue descriptor flags */
#define AQ_FLAG_DD          0x0001
#define AQ_FLAG_CMP         0x0002
#define AQ_FLAG_ERR         0x0004
#define AQ_FLAG_LB          0x0200
#define AQ_FLAG_RD          0x0400
#define AQ_FLAG_BUF         0x1000
#define AQ_FLAG_SI          0x2000

/* admin queue return codes */
enum {
    AQ_RC_OK = 0, AQ_RC_EPERM = 1, AQ_RC_ENOENT = 2, AQ_RC_ESRCH = 3,
    AQ_RC_EIO = 5, AQ_RC_E2BIG = 7, AQ_RC_ENOMEM = 9, AQ_RC_EACCES = 10,
    AQ_RC_EFAULT = 11, AQ_RC_EBUSY = 12, AQ_RC_EEXIST = 13, AQ_RC_EINVAL = 14,
    AQ_RC_ENOSPC = 16, AQ_RC_ENOSYS = 17, AQ_RC_ERANGE = 18,
    AQ_RC_BAD_ADDR = 20, AQ_RC_EMODE = 21,
};

/* shadow RAM word offsets the driver reads */
#define SR_NVM_CONTROL_WORD         0x00
#define SR_EMP_MODULE_PTR           0x48
#define SR_PBA_BLOCK_PTR            0x16
#define SR_NVM_DEV_STARTER_VERSION  0x18
#define SR_NVM_EETRACK_LO           0x2D
#define SR_NVM_EETRACK_HI           0x2E
#define SR_VPD_PTR                  0x2F
#define SR_NVM_WAKE_ON_LAN          0x19
#define SR_PCIE_ALT_AUTO_LOAD_PTR   0x3E
#define SR_SW_CHECKSUM_WORD         0x3F
#define SR_BOOT_CONFIG_PTR          0x17
#define SR_EMP_SR_SETTINGS_PTR      0x48
#define SR_SECTOR_WORDS             0x800
#define SR_VPD_MODULE_WORDS         (1024 / 2)
#define SR_ALT_MODULE_WORDS         (1024 / 2)

/* switch element types and seids */
#define SW_ELEM_TYPE_MAC    1
#define SW_ELEM_TYPE_PF     2
#define SW_ELEM_TYPE_VSI    19
#define X722_MAC_SEID(port) (2 + (port))
#define X722_PF_SEID(pf)    (16 + (pf))
#define X722_VSI_SEID_BASE  512

/* VSI properties (128-byte buffer of add/get/update VSI), byte offsets */
#define VSI_PROP_LEN            128
#define VSIP_VALID_SECTIONS     0
#define VSIP_PORT_VLAN_FLAGS    12
#define VSIP_MAPPING_FLAGS      28
#define VSIP_QUEUE_MAPPING      30
#define VSIP_TC_MAPPING         62
#define VSIP_QUEUEING_OPT       78
#define VSIP_QS_HANDLE          96
#define VSIP_STAT_COUNTER_IDX   112
#define VSIP_SCHED_ID           114
#define VSI_QOPT_RSS_LUT_VSI    0x40
#define VSI_PVLAN_EMOD_MASK     0x18
#define VSI_PVLAN_EMOD_NOTHING  0x18

/* MAC/VLAN filter flags */
#define MACVLAN_SEID_VALID      0x8000
#define MACVLAN_IGNORE_VLAN     0x0004
#define PROMISC_UNICAST         0x01
#define PROMISC_MULTICAST       0x02
#define PROMISC_BROADCAST       0x04
#define PROMISC_DEFAULT         0x08
#define PROMISC_VLAN            0x10

/* TX descriptor */
#define TXD_DTYPE_DATA          0x0
#define TXD_DTYPE_CONTEXT       0x1
#define TXD_DTYPE_FILTER_PROG   0x8
#define TXD_CMD_EOP             0x0001
#define TXD_CMD_RS              0x0002
#define TXD_CMD_IL2TAG1         0x0008
#define TXD_CMD_IIPT_MASK       0x0060
#define TXD_CMD_IIPT_IPV4_CSUM  0x0060
#define TXD_CMD_L4T_MASK        0x0300
#define TXD_CTX_CMD_TSO         0x01

/* RX descriptor write-back (16 bytes) */
#define RXD_STATUS_DD           (1ull << 0)
#define RXD_STATUS_EOF          (1ull << 1)
#define RXD_STATUS_L2TAG1P      (1ull << 2)
#define RXD_STATUS_L3L4P        (1ull << 3)
#define RXD_STATUS_UMB_SHIFT    9
#define RXD_STATUS_FLTSTAT_SHIFT 12
#define RXD_FLTSTAT_RSS         3ull
#define RXD_ERROR_SHIFT         19
#define RXD_ERROR_IPE           (1ull << (RXD_ERROR_SHIFT + 3))
#define RXD_ERROR_L4E           (1ull << (RXD_ERROR_SHIFT + 4))
#define RXD_PTYPE_SHIFT         30
#define RXD_LEN_PBUF_SHIFT      38

/* packet classifier types (PCTYPE, the bit index in PFQF_HENA) */
#define PCTYPE_UNICAST_IPV4_UDP     29
#define PCTYPE_MULTICAST_IPV4_UDP   30
#define PCTYPE_IPV4_TCP_SYN_NO_ACK  32
#define PCTYPE_IPV4_TCP             33
#define PCTYPE_IPV4_SCTP            34
#define PCTYPE_IPV4_OTHER           35
#define PCTYPE_FRAG_IPV4            36
#define PCTYPE_UNICAST_IPV6_UDP     39
#define PCTYPE_MULTICAST_IPV6_UDP   40
#define PCTYPE_IPV6_TCP_SYN_NO_ACK  42
#define PCTYPE_IPV6_TCP             43
#define PCTYPE_IPV6_SCTP            44
#define PCTYPE_IPV6_OTHER           45
#define PCTYPE_FRAG_IPV6            46
#define PCTYPE_L2_PAYLOAD           63

typedef struct X722Filter {
    bool used;
    uint8_t mac[ETH_ALEN];
    uint16_t vlan;
    uint16_t flags;
} X722Filter;

typedef struct X722Vsi {
    bool used;
    uint16_t seid;
    uint16_t number;
    uint8_t type;
    uint16_t promisc;
    uint8_t props[VSI_PROP_LEN];
    bool key_set;
    uint8_t key[X722_RSS_KEY_LEN];
    uint8_t lut[X722_VSI_LUT_SIZE];
} X722Vsi;

typedef struct X722TxQueue {
    bool enabled;
    uint64_t base;
    uint32_t qlen;
    uint32_t head;
    uint32_t tail;
    bool head_wb;
    uint64_t head_wb_addr;
    /* context-descriptor state for the packet being assembled */
    bool tso;
    uint32_t mss;
    uint16_t vlan;
    bool insert_vlan;
    uint32_t cmd;
    uint32_t offsets;           /* MACLEN/IPLEN/L4LEN of the data desc */
    uint32_t frags;
} X722TxQueue;

typedef struct X722RxQueue {
    bool enabled;
    uint64_t base;
    uint32_t qlen;
    uint32_t head;
    uint32_t tail;
    uint32_t dbuff;
    uint32_t rxmax;
    bool crcstrip;
    bool l2tsel;
    bool dsize32;
} X722RxQueue;

typedef struct X722HeldFrame {
    QSIMPLEQ_ENTRY(X722HeldFrame) next;
    size_t len;
    uint8_t data[];
} X722HeldFrame;

struct X722State {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    MemoryRegion msix;
    NICState *nic;
    NICConf conf;

    /* properties */
    bool natt_quirk;
    bool recovery_mode;
    uint32_t num_qp;

    uint8_t pf_id;
    uint8_t port;

    uint32_t *regs;
    uint16_t sr[X722_SR_WORDS];

    /* admin queue */
    bool nvm_owned;
    bool lse_enabled;
    uint16_t phy_int_mask;
    bool link_up;

    /* switch */
    X722Vsi vsi[X722_MAX_VSI];
    X722Filter filters[X722_MAX_VSI][X722_MAX_FILTERS];
    uint8_t pf_lut[X722_PF_LUT_SIZE];

    /* LAN HMC segment descriptors */
    uint64_t sd_addr[X722_MAX_SD];
    bool sd_valid[X722_MAX_SD];
    bool sd_direct[X722_MAX_SD];

    X722TxQueue txq[X722_NUM_QP];
    X722RxQueue rxq[X722_NUM_QP];
    /* the port's RX packet buffer: frames waiting for RX descriptors */
    QSIMPLEQ_HEAD(, X722HeldFrame) rx_held;
    uint64_t rx_held_bytes;
    uint32_t rx_pktbuf;             /* its size in bytes (property) */
    uint8_t *tx_buf;                /* the packet being assembled */
    uint32_t tx_len;

    /* interrupts */
    bool vec_pending[X722_NUM_VECTORS];
    int64_t vec_gap[X722_NUM_VECTORS];  /* ITR of the pending causes, ns */
    int64_t vec_last[X722_NUM_VECTORS]; /* when the vector last fired */
    QEMUTimer *vec_timer[X722_NUM_VECTORS];
    X722State *vec_self[X722_NUM_VECTORS]; /* timer opaques: &vec_self[v] */

    bool in_atq;                    /* admin queue being processed */
    QEMUTimer *reset_timer;
    uint32_t pending_reset;
};

static void x722_reg_write(X722State *s, hwaddr addr, uint32_t val);
static void x722_pf_reset(X722State *s);
static void x722_rx_kick(X722State *s);

/* ------------------------------------------------------------------ */
/* little helpers                                                       */

static inline uint32_t rd(X722State *s, hwaddr a)
{
    return s->regs[a >> 2];
}

static inline void wr(X722State *s, hwaddr a, uint32_t v)
{
    s->regs[a >> 2] = v;
}

static inline uint16_t ld16(const uint8_t *p)
{
    return lduw_le_p(p);
}

static inline uint32_t ld32(const uint8_t *p)
{
    return ldl_le_p(p);
}

static inline void st16(uint8_t *p, uint16_t v)
{
    stw_le_p(p, v);
}

static inline void st32(uint8_t *p, uint32_t v)
{
    stl_le_p(p, v);
}

/* bit field [lsb, lsb+width) of a little-endian byte array */
static uint64_t get_bits(const uint8_t *buf, unsigned lsb, unsigned width)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < width; i++) {
        unsigned bit = lsb + i;
        if (buf[bit >> 3] & (1u << (bit & 7))) {
            v |= 1ull << i;
        }
    }
    return v;
}

static void stat_add48(X722State *s, hwaddr lo, uint64_t n)
{
    uint64_t v;

    if (lo + 8 > X722_BAR0_SIZE) {
        return;
    }
    v = rd(s, lo) | ((uint64_t)(rd(s, lo + 4) & 0xffff) << 32);

    v += n;
    wr(s, lo, (uint32_t)v);
    wr(s, lo + 4, (uint32_t)(v >> 32) & 0xffff);
}

static void stat_add32(X722State *s, hwaddr a, uint32_t n)
{
    if (a + 4 > X722_BAR0_SIZE) {
        return;
    }
    wr(s, a, rd(s, a) + n);
}

/* ------------------------------------------------------------------ */
/* interrupts                                                           */

/*
 * Interrupt throttling (ITR): a vector fires at most once per ITR interval
 * of its pending causes, counted from its last interrupt; the interval of
 * ITR index 0-2 is PFINT_ITRN (PFINT_ITR0 for the misc vector), in 2 us
 * units, as i40e writes it (i40e_vsi_configure_msix, and the INTERVAL of
 * PFINT_DYN_CTLN with adaptive ITR).  Index 3 is "no ITR".
 */
static hwaddr x722_dyn_ctl(unsigned v)
{
    return v ? X722_PFINT_DYN_CTLN(v - 1) : X722_PFINT_DYN_CTL0;
}

/* the interval register of ITR index idx (0-2) of vector v */
static hwaddr x722_itr_reg(unsigned v, unsigned idx)
{
    return v ? X722_PFINT_ITRN(idx, v - 1) : X722_PFINT_ITR0(idx);
}

static int64_t x722_itr_gap(X722State *s, unsigned v, unsigned idx)
{
    if (idx >= X722_ITR_NONE) {
        return 0;
    }
    return (int64_t)(rd(s, x722_itr_reg(v, idx)) & X722_ITR_INTERVAL_MASK) *
           2000;
}

/* fire vector v if a cause is pending, INTENA is set and its ITR expired */
static void x722_vector_update(X722State *s, unsigned v)
{
    hwaddr ctl = x722_dyn_ctl(v);
    int64_t now, due;

    if (!s->vec_pending[v] || !(rd(s, ctl) & X722_DYN_INTENA) ||
        !msix_enabled(PCI_DEVICE(s))) {
        return;
    }
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    due = s->vec_last[v] + s->vec_gap[v];
    if (now < due) {
        trace_x722_irq_itr(s->pf_id, v, due - now);
        timer_mod(s->vec_timer[v], due);
        return;
    }
    /* the interrupt masks itself until the driver re-enables it */
    wr(s, ctl, rd(s, ctl) & ~X722_DYN_INTENA);
    s->vec_pending[v] = false;
    s->vec_last[v] = now;
    trace_x722_irq(s->pf_id, v);
    msix_notify(PCI_DEVICE(s), v);
}

static void x722_vector_timer_cb(void *opaque)
{
    X722State *s = *(X722State **)opaque;
    unsigned v = (X722State **)opaque - s->vec_self;

    x722_vector_update(s, v);
}

/* a cause of ITR index itr_idx for vector v */
static void x722_fire_vector(X722State *s, unsigned v, unsigned itr_idx)
{
    int64_t gap;

    if (v >= X722_NUM_VECTORS || !msix_enabled(PCI_DEVICE(s))) {
        return;
    }
    gap = x722_itr_gap(s, v, itr_idx);
    if (!s->vec_pending[v] || gap < s->vec_gap[v]) {
        s->vec_gap[v] = gap;
    }
    s->vec_pending[v] = true;
    x722_vector_update(s, v);
}

/* every vector masked, nothing pending, no interval, no timer armed */
static void x722_vectors_reset(X722State *s)
{
    unsigned i, j;

    for (i = 0; i < X722_NUM_VECTORS; i++) {
        wr(s, x722_dyn_ctl(i), 0);
        for (j = 0; j < X722_ITR_NONE; j++) {
            wr(s, x722_itr_reg(i, j), 0);
        }
        s->vec_pending[i] = false;
        s->vec_gap[i] = 0;
        s->vec_last[i] = 0;
        if (s->vec_timer[i]) {
            timer_del(s->vec_timer[i]);
        }
    }
}

/* the misc vector fires when an enabled ICR0 cause is pending */
static void x722_misc_check(X722State *s)
{
    uint32_t icr0 = rd(s, X722_PFINT_ICR0);

    if (icr0 & rd(s, X722_PFINT_ICR0_ENA) & ~X722_ICR0_INTEVENT) {
        wr(s, X722_PFINT_ICR0, icr0 | X722_ICR0_INTEVENT);
        x722_fire_vector(s, 0, X722_ITR_NONE);
    }
}

static void x722_icr0_raise(X722State *s, uint32_t cause)
{
    wr(s, X722_PFINT_ICR0, rd(s, X722_PFINT_ICR0) | cause);
    x722_misc_check(s);
}

static void x722_queue_irq(X722State *s, bool rx, unsigned q)
{
    uint32_t ctl = rd(s, rx ? X722_QINT_RQCTL(q) : X722_QINT_TQCTL(q));

    if (!(ctl & X722_QINT_CAUSE_ENA)) {
        return;
    }
    x722_fire_vector(s, ctl & X722_QINT_MSIX_MASK,
                     (ctl >> X722_QINT_ITR_INDX_SHIFT) & 3);
}

static void x722_dyn_ctl_write(X722State *s, unsigned v, hwaddr a, uint32_t val)
{
    unsigned idx = (val & X722_DYN_ITR_INDX_MASK) >> X722_DYN_ITR_INDX_SHIFT;

    wr(s, a, val & ~(X722_DYN_CLEARPBA | X722_DYN_SWINT_TRIG));
    if (idx != X722_ITR_NONE) {
        /* a new interval for ITR index idx (i40e's adaptive ITR) */
        wr(s, x722_itr_reg(v, idx),
           (val >> X722_DYN_INTERVAL_SHIFT) & X722_ITR_INTERVAL_MASK);
    }
    if (val & X722_DYN_SWINT_TRIG) {
        /* a software interrupt is not throttled */
        s->vec_pending[v] = true;
        s->vec_gap[v] = 0;
    }
    /* CLEARPBA: nothing to clear beyond the model's own pending flag */
    x722_vector_update(s, v);
}

/* ------------------------------------------------------------------ */
/* shadow RAM                                                           */

static void x722_sr_init(X722State *s)
{
    uint16_t sum = 0;
    unsigned i;
    const uint16_t vpd = 0x0800, alt = 0x0a00, emp = 0x1000, boot = 0x1200;

    memset(s->sr, 0, sizeof(s->sr));
    s->sr[SR_NVM_CONTROL_WORD] = 0x0040;         /* bits 7:6 = 01: valid */
    s->sr[SR_NVM_DEV_STARTER_VERSION] = X722_NVM_VERSION;
    s->sr[SR_NVM_EETRACK_LO] = X722_EETRACK & 0xffff;
    s->sr[SR_NVM_EETRACK_HI] = X722_EETRACK >> 16;
    s->sr[SR_VPD_PTR] = vpd;
    s->sr[SR_PCIE_ALT_AUTO_LOAD_PTR] = alt;
    /* EMP settings module (OCP config word 0: no OCP, 2 ports) */
    s->sr[SR_EMP_SR_SETTINGS_PTR] = emp;
    s->sr[SR_BOOT_CONFIG_PTR] = boot;
    /* OEM version (boot config + 0x83/0x84): 1.0.0 */
    s->sr[boot + 0x83] = 0x0100;
    s->sr[boot + 0x84] = 0x0000;
    /* no OEM version block */
    s->sr[0x1B] = 0xffff;
    /* Wake on LAN disabled on both ports */
    s->sr[SR_NVM_WAKE_ON_LAN] = 0;

    for (i = 0; i < X722_SR_WORDS; i++) {
        if (i == SR_SW_CHECKSUM_WORD ||
            (i >= vpd && i < vpd + SR_VPD_MODULE_WORDS) ||
            (i >= alt && i < alt + SR_ALT_MODULE_WORDS)) {
            continue;
        }
        sum += s->sr[i];
    }
    s->sr[SR_SW_CHECKSUM_WORD] = 0xBABA - sum;
}

/* ------------------------------------------------------------------ */
/* LAN HMC                                                              */

static bool x722_hmc_read(X722State *s, uint64_t fpm, uint8_t *buf,
                          unsigned len)
{
    PCIDevice *d = PCI_DEVICE(s);
    unsigned sd = fpm / X722_HMC_SD_SIZE;
    uint64_t off = fpm % X722_HMC_SD_SIZE;
    uint64_t pa;

    if (sd >= X722_MAX_SD || !s->sd_valid[sd] ||
        off + len > X722_HMC_SD_SIZE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "x722: HMC access to fpm 0x%" PRIx64 " has no valid "
                      "segment descriptor\n", fpm);
        wr(s, X722_PFHMC_ERRORINFO, 0x80000000 | sd);
        return false;
    }
    if (s->sd_direct[sd]) {
        pa = s->sd_addr[sd] + off;
    } else {
        /* paged: the SD points at a 4 KiB page of 512 page descriptors */
        uint64_t pd;
        unsigned idx = off / 4096;

        if ((off % 4096) + len > 4096 ||
            pci_dma_read(d, s->sd_addr[sd] + idx * 8, &pd, 8) != MEMTX_OK) {
            return false;
        }
        pd = le64_to_cpu(pd);
        if (!(pd & 1)) {
            return false;
        }
        pa = (pd & ~0xfffull) + (off % 4096);
    }
    if (pci_dma_read(d, pa, buf, len) != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "x722: HMC backing page 0x%" PRIx64 " unreadable\n", pa);
        return false;
    }
    return true;
}

static void x722_sdcmd_write(X722State *s, uint32_t val)
{
    unsigned idx = val & 0xfff;
    uint32_t lo = rd(s, X722_PFHMC_SDDATALOW);
    uint32_t hi = rd(s, X722_PFHMC_SDDATAHIGH);

    wr(s, X722_PFHMC_SDCMD, val & ~X722_SDCMD_WR);
    if (!(val & X722_SDCMD_WR)) {
        return;
    }
    if (idx >= X722_MAX_SD) {
        qemu_log_mask(LOG_GUEST_ERROR, "x722: SD index %u out of range\n",
                      idx);
        return;
    }
    s->sd_valid[idx] = lo & 1;
    s->sd_direct[idx] = lo & 2;
    s->sd_addr[idx] = ((uint64_t)hi << 32) | (lo & ~0xfffu);
    trace_x722_hmc_sd(s->pf_id, idx, s->sd_addr[idx], s->sd_valid[idx]);
}

/* ------------------------------------------------------------------ */
/* queues                                                               */

static void x722_txq_enable(X722State *s, unsigned q, uint32_t val)
{
    X722TxQueue *t = &s->txq[q];
    uint8_t ctx[128];
    uint64_t fpm;

    if (!(val & X722_QENA_REQ)) {
        t->enabled = false;
        wr(s, X722_QTX_ENA(q), val & ~X722_QENA_STAT);
        return;
    }
    if (t->enabled) {
        wr(s, X722_QTX_ENA(q), val | X722_QENA_STAT);
        return;
    }
    fpm = (uint64_t)(rd(s, X722_GLHMC_LANTXBASE(s->pf_id)) & 0xffffff) * 512 +
          (uint64_t)q * 128;
    if (q >= rd(s, X722_GLHMC_LANTXCNT(s->pf_id)) ||
        !x722_hmc_read(s, fpm, ctx, sizeof(ctx))) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "x722: TX queue %u enable without a context\n", q);
        wr(s, X722_QTX_ENA(q), val & ~X722_QENA_STAT);
        return;
    }
    t->head = get_bits(ctx, 0, 13);
    t->base = get_bits(ctx, 32, 57) * 128;
    t->head_wb = get_bits(ctx, 160, 1);
    t->qlen = get_bits(ctx, 161, 13);
    t->head_wb_addr = get_bits(ctx, 192, 64);
    if (t->qlen < 8 || t->qlen > 8160 || t->head >= t->qlen) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "x722: TX queue %u ring length %u out of range\n",
                      q, t->qlen);
        wr(s, X722_QTX_ENA(q), val & ~X722_QENA_STAT);
        return;
    }
    t->tail = rd(s, X722_QTX_TAIL(q)) < t->qlen ? rd(s, X722_QTX_TAIL(q))
                                                   : t->head;
    t->frags = 0;
    t->tso = false;
    t->insert_vlan = false;
    s->tx_len = 0;
    t->enabled = true;
    wr(s, X722_QTX_HEAD(q), t->head);
    wr(s, X722_QTX_ENA(q), val | X722_QENA_STAT);
    trace_x722_txq_enable(s->pf_id, q, t->base, t->qlen, t->head_wb);
}

static void x722_rxq_enable(X722State *s, unsigned q, uint32_t val)
{
    X722RxQueue *r = &s->rxq[q];
    uint8_t ctx[32];
    uint64_t fpm;

    if (!(val & X722_QENA_REQ)) {
        r->enabled = false;
        wr(s, X722_QRX_ENA(q), val & ~X722_QENA_STAT);
        x722_rx_kick(s);        /* what waits for this ring is dropped */
        return;
    }
    if (r->enabled) {
        wr(s, X722_QRX_ENA(q), val | X722_QENA_STAT);
        return;
    }
    fpm = (uint64_t)(rd(s, X722_GLHMC_LANRXBASE(s->pf_id)) & 0xffffff) * 512 +
          (uint64_t)q * 32;
    if (q >= rd(s, X722_GLHMC_LANRXCNT(s->pf_id)) ||
        !x722_hmc_read(s, fpm, ctx, sizeof(ctx))) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "x722: RX queue %u enable without a context\n", q);
        wr(s, X722_QRX_ENA(q), val & ~X722_QENA_STAT);
        return;
    }
    r->head = get_bits(ctx, 0, 13);
    r->base = get_bits(ctx, 32, 57) * 128;
    r->qlen = get_bits(ctx, 89, 13);
    r->dbuff = get_bits(ctx, 102, 7) * 128;
    r->dsize32 = get_bits(ctx, 116, 1);
    r->crcstrip = get_bits(ctx, 117, 1);
    r->l2tsel = get_bits(ctx, 119, 1);
    r->rxmax = get_bits(ctx, 174, 14);
    if (r->qlen < 8 || r->qlen > 8160 || r->head >= r->qlen ||
        r->dbuff == 0) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "x722: RX queue %u context invalid (len %u buf %u)\n",
                      q, r->qlen, r->dbuff);
        wr(s, X722_QRX_ENA(q), val & ~X722_QENA_STAT);
        return;
    }
    /* the driver fills the ring and writes the tail before enabling */
    r->tail = rd(s, X722_QRX_TAIL(q));
    if (r->tail >= r->qlen) {
        qemu_log_mask(LOG_GUEST_ERROR, "x722: RX queue %u tail %u beyond "
                      "ring length %u\n", q, r->tail, r->qlen);
        wr(s, X722_QRX_ENA(q), val & ~X722_QENA_STAT);
        return;
    }
    r->enabled = true;
    wr(s, X722_QRX_ENA(q), val | X722_QENA_STAT);
    trace_x722_rxq_enable(s->pf_id, q, r->base, r->qlen, r->dbuff);
    x722_rx_kick(s);
}

static void x722_tx_stop(X722State *s, unsigned q, const char *why)
{
    qemu_log_mask(LOG_GUEST_ERROR, "x722: pf%u TX queue %u stopped: %s\n",
                  s->pf_id, q, why);
    s->txq[q].enabled = false;
    wr(s, X722_QTX_ENA(q), rd(s, X722_QTX_ENA(q)) & ~X722_QENA_STAT);
    s->tx_len = 0;
    s->txq[q].frags = 0;
}

static X722Vsi *x722_main_vsi(X722State *s)
{
    return &s->vsi[0];
}

static void x722_count_tx(X722State *s, const uint8_t *dst, size_t len)
{
    X722Vsi *v = x722_main_vsi(s);
    unsigned idx = ld16(v->props + VSIP_STAT_COUNTER_IDX);
    hwaddr pkt_port, pkt_vsi;

    if (is_broadcast_ether_addr(dst)) {
        pkt_port = X722_GLPRT_BPTCL(s->port);
        pkt_vsi = X722_GLV_BPTCL(idx);
    } else if (is_multicast_ether_addr(dst)) {
        pkt_port = X722_GLPRT_MPTCL(s->port);
        pkt_vsi = X722_GLV_MPTCL(idx);
    } else {
        pkt_port = X722_GLPRT_UPTCL(s->port);
        pkt_vsi = X722_GLV_UPTCL(idx);
    }
    stat_add48(s, pkt_port, 1);
    stat_add48(s, pkt_vsi, 1);
    stat_add48(s, X722_GLPRT_GOTCL(s->port), len);
    stat_add48(s, X722_GLV_GOTCL(idx), len);
    {
        unsigned b = len <= 64 ? 0 : len <= 127 ? 1 : len <= 255 ? 2 :
                     len <= 511 ? 3 : len <= 1023 ? 4 : len <= 1522 ? 5 : 6;
        stat_add48(s, X722_GLPRT_PTC64L(s->port) + b * 0x20, 1);
    }
}

/* ones-complement sum of the pseudo header of an IPv4/IPv6 packet */
static uint32_t pseudo_sum(const uint8_t *l3, bool v6, uint8_t proto,
                           uint32_t l4len)
{
    uint32_t sum = proto + l4len;

    if (v6) {
        sum += net_checksum_add(32, (uint8_t *)l3 + 8);
    } else {
        sum += net_checksum_add(8, (uint8_t *)l3 + 12);
    }
    return sum;
}

/*
 * Checksum offload as the descriptor asks: IPv4 header checksum for
 * IIPT=IPv4+csum, and the L4 checksum (TCP, UDP, SCTP) of the L4 region
 * given by MACLEN/IPLEN.  The model computes the full checksum with the
 * pseudo header from the packet itself.
 */
static void x722_tx_csum(uint8_t *pkt, size_t len, uint32_t cmd,
                         size_t l3off, size_t l4off)
{
    uint8_t *l3 = pkt + l3off, *l4 = pkt + l4off;
    bool v6 = (cmd & TXD_CMD_IIPT_MASK) == 0x20;
    uint32_t l4len;

    if (l4off >= len || l3off + 20 > len) {
        return;
    }
    l4len = len - l4off;
    if ((cmd & TXD_CMD_IIPT_MASK) == TXD_CMD_IIPT_IPV4_CSUM) {
        size_t ihl = l4off - l3off;
        st16(l3 + 10, 0);
        stw_be_p(l3 + 10, net_checksum_finish(net_checksum_add(ihl, l3)));
    }
    switch (cmd & TXD_CMD_L4T_MASK) {
    case 0x0100:                                        /* TCP */
        if (l4len >= 20) {
            stw_be_p(l4 + 16, 0);
            stw_be_p(l4 + 16, net_checksum_finish(
                pseudo_sum(l3, v6, IP_PROTO_TCP, l4len) +
                net_checksum_add(l4len, l4)));
        }
        break;
    case 0x0300:                                        /* UDP */
        if (l4len >= 8) {
            uint16_t c;
            stw_be_p(l4 + 6, 0);
            c = net_checksum_finish(pseudo_sum(l3, v6, IP_PROTO_UDP, l4len) +
                                    net_checksum_add(l4len, l4));
            stw_be_p(l4 + 6, c ? c : 0xffff);
        }
        break;
    case 0x0200:                                        /* SCTP */
        if (l4len >= 12) {
            stl_le_p(l4 + 8, 0);
            stl_le_p(l4 + 8, ~crc32c(0xffffffff, l4, l4len));
        }
        break;
    }
}

static void x722_tx_frame(X722State *s, X722TxQueue *t, uint8_t *frame,
                          size_t len)
{
    uint8_t tagged[X722_MAX_FRAME + 4];

    if (t->insert_vlan && len >= 14 && len + 4 <= sizeof(tagged)) {
        memcpy(tagged, frame, 12);
        stw_be_p(tagged + 12, ETH_P_VLAN);
        stw_be_p(tagged + 14, t->vlan);
        memcpy(tagged + 16, frame + 12, len - 12);
        frame = tagged;
        len += 4;
    }
    if (len < 60) {
        /* the MAC pads short frames */
        if (frame != tagged) {
            memcpy(tagged, frame, len);
            frame = tagged;
        }
        memset(tagged + len, 0, 60 - len);
        len = 60;
    }
    x722_count_tx(s, frame, len + 4);
    qemu_send_packet(qemu_get_queue(s->nic), frame, len);
}

/* TCP (and UDP, for UDP segmentation offload) segmentation */
static void x722_tx_tso(X722State *s, X722TxQueue *t, unsigned q,
                        size_t l3off, size_t l4off, size_t hdrlen)
{
    uint8_t *pkt = s->tx_buf;
    uint8_t seg[X722_MAX_FRAME];
    size_t paylen = s->tx_len - hdrlen, off;
    bool v6 = (t->cmd & TXD_CMD_IIPT_MASK) == 0x20;
    bool udp = (t->cmd & TXD_CMD_L4T_MASK) == 0x0300;
    uint32_t mss = t->mss;
    uint16_t ipid = v6 ? 0 : lduw_be_p(pkt + l3off + 4);
    uint32_t seq = udp ? 0 : ldl_be_p(pkt + l4off + 4);
    uint8_t flags = udp ? 0 : pkt[l4off + 13];
    unsigned n = 0;

    if (hdrlen + mss > sizeof(seg)) {
        mss = sizeof(seg) - hdrlen;
    }
    for (off = 0; off < paylen; off += mss, n++) {
        size_t chunk = MIN(mss, paylen - off);
        size_t len = hdrlen + chunk;
        uint8_t *l3 = seg + l3off, *l4 = seg + l4off;
        bool last = off + chunk >= paylen;

        memcpy(seg, pkt, hdrlen);
        memcpy(seg + hdrlen, pkt + hdrlen + off, chunk);
        if (v6) {
            stw_be_p(l3 + 4, len - l3off - 40);
        } else {
            stw_be_p(l3 + 2, len - l3off);
            stw_be_p(l3 + 4, ipid + n);
        }
        if (udp) {
            stw_be_p(l4 + 4, len - l4off);
        } else {
            stl_be_p(l4 + 4, seq + off);
            /* FIN and PSH only on the last segment, CWR only on the first */
            l4[13] = flags & ~((last ? 0 : 0x09) | (n ? 0x80 : 0));
        }
        x722_tx_csum(seg, len, (t->cmd & ~TXD_CMD_IIPT_MASK) |
                     (v6 ? 0x20 : TXD_CMD_IIPT_IPV4_CSUM) |
                     (udp ? 0x0300 : 0x0100), l3off, l4off);
        x722_tx_frame(s, t, seg, len);
    }
    trace_x722_tx_pkt(s->pf_id, q, s->tx_len, mss);
}

static void x722_tx_send(X722State *s, X722TxQueue *t, unsigned q)
{
    uint32_t maclen = (t->offsets & 0x7f) * 2;
    uint32_t iplen = ((t->offsets >> 7) & 0x7f) * 4;
    uint32_t l4len = ((t->offsets >> 14) & 0xf) * 4;
    size_t l3off = maclen, l4off = maclen + iplen;

    if (t->tso) {
        if (!maclen || !iplen || !l4len || l4off + l4len >= s->tx_len ||
            l4off + l4len > 512) {
            qemu_log_mask(LOG_GUEST_ERROR, "x722: pf%u TSO with bad header "
                          "lengths %u/%u/%u\n", s->pf_id, maclen, iplen,
                          l4len);
            return;
        }
        x722_tx_tso(s, t, q, l3off, l4off, l4off + l4len);
        return;
    }
    if (s->tx_len > X722_MAX_FRAME) {
        qemu_log_mask(LOG_GUEST_ERROR, "x722: pf%u oversize frame %u\n",
                      s->pf_id, s->tx_len);
        return;
    }
    if (maclen && iplen) {
        x722_tx_csum(s->tx_buf, s->tx_len, t->cmd, l3off, l4off);
    }
    trace_x722_tx_pkt(s->pf_id, q, s->tx_len, 0);
    x722_tx_frame(s, t, s->tx_buf, s->tx_len);
}

static void x722_tx_process(X722State *s, unsigned q)
{
    X722TxQueue *t = &s->txq[q];
    PCIDevice *d = PCI_DEVICE(s);
    bool rs = false;
    unsigned budget = t->qlen;

    while (t->enabled && t->head != t->tail && budget--) {
        uint64_t desc[2];
        uint64_t qw1;
        unsigned dtype;

        if (pci_dma_read(d, t->base + (uint64_t)t->head * 16, desc, 16) !=
            MEMTX_OK) {
            x722_tx_stop(s, q, "descriptor ring outside guest memory");
            return;
        }
        qw1 = le64_to_cpu(desc[1]);
        dtype = qw1 & 0xf;
        switch (dtype) {
        case TXD_DTYPE_DATA: {
            uint64_t addr = le64_to_cpu(desc[0]);
            uint32_t cmd = (qw1 >> 4) & 0x3ff;
            uint32_t len = (qw1 >> 34) & 0x3fff;

            if (t->frags == 0) {
                s->tx_len = 0;
                t->cmd = cmd;
                t->offsets = (qw1 >> 16) & 0x3ffff;
                if (cmd & TXD_CMD_IL2TAG1) {
                    t->insert_vlan = true;
                    t->vlan = qw1 >> 48;
                }
            }
            if (len) {
                if (s->tx_len + len > X722_TX_BUF_MAX) {
                    x722_tx_stop(s, q, "packet longer than 256 KiB");
                    return;
                }
                if (pci_dma_read(d, addr, s->tx_buf + s->tx_len, len) !=
                    MEMTX_OK) {
                    x722_tx_stop(s, q, "buffer outside guest memory");
                    return;
                }
                s->tx_len += len;
                t->frags++;
            }
            if (cmd & TXD_CMD_RS) {
                rs = true;
            }
            if (cmd & TXD_CMD_EOP) {
                if (t->frags) {
                    x722_tx_send(s, t, q);
                }
                s->tx_len = 0;
                t->frags = 0;
                t->tso = false;
                t->insert_vlan = false;
            }
            break;
        }
        case TXD_DTYPE_CONTEXT: {
            uint32_t ccmd = (qw1 >> 4) & 0x7ff;

            if (ccmd & TXD_CTX_CMD_TSO) {
                t->tso = true;
                t->mss = (qw1 >> 50) & 0x3fff;
                if (t->mss < 64) {
                    qemu_log_mask(LOG_GUEST_ERROR, "x722: TSO MSS %u\n",
                                  t->mss);
                    t->mss = 64;
                }
            }
            break;
        }
        case TXD_DTYPE_FILTER_PROG:
            /* flow director programming: no flow director in the model */
            break;
        default:
            qemu_log_mask(LOG_GUEST_ERROR, "x722: TX descriptor type %u\n",
                          dtype);
            break;
        }
        t->head = (t->head + 1) % t->qlen;
    }
    wr(s, X722_QTX_HEAD(q), t->head);
    if (t->head_wb) {
        uint32_t h = cpu_to_le32(t->head);

        if (pci_dma_write(d, t->head_wb_addr, &h, 4) != MEMTX_OK) {
            x722_tx_stop(s, q, "head write-back address outside guest "
                         "memory");
            return;
        }
    }
    if (rs || t->head_wb) {
        x722_queue_irq(s, false, q);
    }
}

/* ------------------------------------------------------------------ */
/* receive                                                              */

typedef struct X722Parsed {
    uint16_t vlan;
    bool has_vlan;
    size_t l3off;
    int ipver;                  /* 0, 4, 6 */
    uint8_t l4proto;
    bool frag;
    size_t l4off;
    size_t l4len;
    uint8_t ptype;
    int pctype;
    uint8_t hash_in[36];
    unsigned hash_len;
    bool ip_csum_bad;
    bool l4_csum_bad;
    bool l3l4p;
    bool natt_esp;
    uint8_t spi[4];
} X722Parsed;

static bool ipv4_multicast(const uint8_t *a)
{
    return (a[0] & 0xf0) == 0xe0 || (a[0] == 0xff && a[1] == 0xff &&
                                      a[2] == 0xff && a[3] == 0xff);
}

static uint16_t l4_csum(const uint8_t *l3, int ipver, const uint8_t *l4,
                        size_t l4len, uint8_t proto)
{
    uint32_t sum = 0;

    if (ipver == 4) {
        sum += net_checksum_add(8, (uint8_t *)l3 + 12);
    } else {
        sum += net_checksum_add(32, (uint8_t *)l3 + 8);
    }
    sum += proto + l4len;
    sum += net_checksum_add(l4len, (uint8_t *)l4);
    return net_checksum_finish(sum);
}

static void x722_parse(const uint8_t *buf, size_t len, X722Parsed *p)
{
    uint16_t et;
    size_t off = 12;
    const uint8_t *ip;

    memset(p, 0, sizeof(*p));
    p->pctype = -1;
    p->ptype = 1;                       /* L2 payload */
    if (len < 14) {
        return;
    }
    et = lduw_be_p(buf + off);
    if ((et == ETH_P_VLAN || et == ETH_P_DVLAN) && len >= 18) {
        p->has_vlan = true;
        p->vlan = lduw_be_p(buf + 14);
        off += 4;
        et = lduw_be_p(buf + off);
    }
    off += 2;
    p->l3off = off;
    if (et == ETH_P_ARP) {
        p->ptype = 11;
        return;
    }
    ip = buf + off;
    if (et == ETH_P_IP && len >= off + 20 && (ip[0] >> 4) == 4) {
        size_t ihl = (ip[0] & 0xf) * 4;
        size_t tot = lduw_be_p(ip + 2);

        if (ihl < 20 || len < off + ihl || tot < ihl || len < off + tot) {
            p->ptype = 1;
            return;
        }
        p->ipver = 4;
        p->l3l4p = true;
        if (net_raw_checksum((uint8_t *)ip, ihl) != 0) {
            p->ip_csum_bad = true;
        }
        memcpy(p->hash_in, ip + 12, 8);
        p->hash_len = 8;
        p->frag = (lduw_be_p(ip + 6) & 0x3fff) != 0;
        p->l4proto = ip[9];
        p->l4off = off + ihl;
        p->l4len = tot - ihl;
        if (p->frag) {
            p->ptype = 22;
            p->pctype = PCTYPE_FRAG_IPV4;
            return;
        }
        p->ptype = 23;
        p->pctype = PCTYPE_IPV4_OTHER;
    } else if (et == ETH_P_IPV6 && len >= off + 40 && (ip[0] >> 4) == 6) {
        size_t pl = lduw_be_p(ip + 4);

        if (len < off + 40 + pl) {
            return;
        }
        p->ipver = 6;
        p->l3l4p = true;
        memcpy(p->hash_in, ip + 8, 32);
        p->hash_len = 32;
        p->l4proto = ip[6];
        p->l4off = off + 40;
        p->l4len = pl;
        if (p->l4proto == 44) {         /* fragment header */
            p->frag = true;
            p->ptype = 88;
            p->pctype = PCTYPE_FRAG_IPV6;
            return;
        }
        p->ptype = 89;
        p->pctype = PCTYPE_IPV6_OTHER;
    } else {
        return;
    }

    /* L4 */
    {
        const uint8_t *l4 = buf + p->l4off;
        bool v4 = p->ipver == 4;
        bool mcast = v4 ? ipv4_multicast(ip + 16) : ip[24] == 0xff;

        switch (p->l4proto) {
        case IP_PROTO_UDP:
            if (p->l4len < 8) {
                return;
            }
            p->ptype = v4 ? 24 : 90;
            p->pctype = v4 ? (mcast ? PCTYPE_MULTICAST_IPV4_UDP :
                              PCTYPE_UNICAST_IPV4_UDP)
                           : (mcast ? PCTYPE_MULTICAST_IPV6_UDP :
                              PCTYPE_UNICAST_IPV6_UDP);
            memcpy(p->hash_in + p->hash_len, l4, 4);
            p->hash_len += 4;
            if (lduw_be_p(l4 + 6) != 0 || !v4) {
                if (l4_csum(ip, p->ipver, l4, p->l4len, IP_PROTO_UDP) != 0) {
                    p->l4_csum_bad = true;
                }
            }
            /* ESP in UDP (RFC 3948): port 4500, first 4 payload bytes are
             * the SPI, non-zero (zero is the non-ESP marker of IKE) */
            if (lduw_be_p(l4 + 2) == 4500 && p->l4len >= 12 &&
                ldl_be_p(l4 + 8) != 0) {
                p->natt_esp = true;
                memcpy(p->spi, l4 + 8, 4);
            }
            break;
        case IP_PROTO_TCP:
            if (p->l4len < 20) {
                return;
            }
            p->ptype = v4 ? 26 : 92;
            /* SYN without ACK */
            p->pctype = ((l4[13] & 0x12) == 0x02) ?
                (v4 ? PCTYPE_IPV4_TCP_SYN_NO_ACK : PCTYPE_IPV6_TCP_SYN_NO_ACK) :
                (v4 ? PCTYPE_IPV4_TCP : PCTYPE_IPV6_TCP);
            memcpy(p->hash_in + p->hash_len, l4, 4);
            p->hash_len += 4;
            if (l4_csum(ip, p->ipver, l4, p->l4len, IP_PROTO_TCP) != 0) {
                p->l4_csum_bad = true;
            }
            break;
        case 132:   /* SCTP: CRC32c not verified by the model */
            if (p->l4len < 12) {
                return;
            }
            p->ptype = v4 ? 27 : 93;
            p->pctype = v4 ? PCTYPE_IPV4_SCTP : PCTYPE_IPV6_SCTP;
            memcpy(p->hash_in + p->hash_len, l4, 4);
            p->hash_len += 4;
            break;
        case 1:
        case 58:
            p->ptype = v4 ? 28 : 94;
            break;
        default:
            break;
        }
    }
}

static bool x722_filter_match(X722State *s, unsigned vi, const uint8_t *dst,
                              bool has_vlan, uint16_t vid)
{
    X722Vsi *v = &s->vsi[vi];
    unsigned i;

    if (is_broadcast_ether_addr(dst)) {
        return true;
    }
    if (is_multicast_ether_addr(dst) && (v->promisc & PROMISC_MULTICAST)) {
        return true;
    }
    if (!is_multicast_ether_addr(dst) && (v->promisc & PROMISC_UNICAST)) {
        return true;
    }
    for (i = 0; i < X722_MAX_FILTERS; i++) {
        X722Filter *f = &s->filters[vi][i];

        if (!f->used || memcmp(f->mac, dst, ETH_ALEN)) {
            continue;
        }
        if ((f->flags & MACVLAN_IGNORE_VLAN) ||
            (has_vlan ? (f->vlan & 0xfff) == vid : (f->vlan & 0xfff) == 0)) {
            return true;
        }
    }
    return false;
}

static int x722_rx_vsi(X722State *s, const uint8_t *buf, X722Parsed *p)
{
    unsigned i;

    for (i = 0; i < X722_MAX_VSI; i++) {
        if (s->vsi[i].used &&
            x722_filter_match(s, i, buf, p->has_vlan, p->vlan & 0xfff)) {
            return i;
        }
    }
    return -1;
}

static unsigned x722_vsi_base_queue(X722Vsi *v, unsigned *count)
{
    unsigned base = ld16(v->props + VSIP_QUEUE_MAPPING) & 0x7ff;
    unsigned tc0 = ld16(v->props + VSIP_TC_MAPPING);
    unsigned off = tc0 & 0x1ff;
    unsigned n = (tc0 >> 9) & 0xf;

    *count = 1u << n;
    return base + off;
}

static bool x722_hena(X722State *s, int pctype)
{
    if (pctype < 0) {
        return false;
    }
    return rd(s, X722_PFQF_HENA(pctype / 32)) & (1u << (pctype % 32));
}

static void x722_rss_key(X722State *s, X722Vsi *v, uint8_t *key)
{
    unsigned i;

    if (v->key_set) {
        memcpy(key, v->key, X722_RSS_KEY_LEN);
        return;
    }
    for (i = 0; i < 13; i++) {
        stl_le_p(key + i * 4, rd(s, X722_PFQF_HKEY(i)));
    }
}

static unsigned x722_rx_queue(X722State *s, X722Vsi *v, X722Parsed *p,
                              uint32_t *hash, bool *hashed)
{
    unsigned count;
    unsigned base = x722_vsi_base_queue(v, &count);
    uint8_t key[X722_RSS_KEY_LEN];
    unsigned entry;

    *hash = 0;
    *hashed = false;
    if (!x722_hena(s, p->pctype) || p->hash_len == 0) {
        return base;
    }
    /*
     * The bug of the original report: the X722 classifies UDP/4500 frames
     * that carry ESP into a type its RSS does not hash, so they get no
     * hash (FLTSTAT is not RSS) and land on the VSI's first queue,
     * whatever the key and LUT say.
     */
    if (s->natt_quirk && p->natt_esp) {
        trace_x722_rss_natt(s->pf_id);
        return base;
    }
    /*
     * natt-quirk=off is the "fixed" device: it classifies ESP in UDP and
     * adds the SPI to the hash input (IPs, ports, SPI), so that the SAs
     * between one pair of gateways, which share the outer 4-tuple, spread.
     */
    if (p->natt_esp && p->hash_len + 4 <= sizeof(p->hash_in)) {
        memcpy(p->hash_in + p->hash_len, p->spi, 4);
        p->hash_len += 4;
    }
    x722_rss_key(s, v, key);
    *hash = x722_toeplitz(key, sizeof(key), p->hash_in, p->hash_len);
    *hashed = true;
    if (v->props[VSIP_QUEUEING_OPT] & VSI_QOPT_RSS_LUT_VSI) {
        entry = v->lut[*hash & (X722_VSI_LUT_SIZE - 1)];
    } else {
        entry = s->pf_lut[*hash & (X722_PF_LUT_SIZE - 1)];
    }
    return base + (entry & (count - 1));
}

static bool x722_can_receive(NetClientState *nc)
{
    X722State *s = qemu_get_nic_opaque(nc);

    return s->link_up && (rd(s, X722_PFGEN_CTRL) & X722_PFGEN_CTRL_PFSWR) == 0;
}

static unsigned x722_rx_free(X722RxQueue *r)
{
    return (r->tail + r->qlen - r->head) % r->qlen;
}

/*
 * Deliver one frame to its RX queue.  Returns false, with nothing done,
 * when that queue has too few free descriptors; every other outcome
 * (delivered, dropped and counted, not for us) consumes the frame.
 */
static bool x722_rx_frame(X722State *s, const uint8_t *buf, size_t size)
{
    PCIDevice *d = PCI_DEVICE(s);
    X722Parsed p;
    X722Vsi *v;
    X722RxQueue *r;
    uint8_t frame[X722_MAX_FRAME + 4];
    const uint8_t *data = buf;
    size_t len = size;
    unsigned q, need, i, vidx;
    uint32_t hash;
    bool hashed, strip = false;
    uint64_t qw1;
    int vi;

    x722_parse(buf, size, &p);
    vi = x722_rx_vsi(s, buf, &p);
    if (vi < 0) {
        return true;                    /* no filter: not for us */
    }
    v = &s->vsi[vi];
    vidx = ld16(v->props + VSIP_STAT_COUNTER_IDX);
    q = x722_rx_queue(s, v, &p, &hash, &hashed);
    if (q >= s->num_qp || !s->rxq[q].enabled) {
        stat_add32(s, X722_GLPRT_RDPC(s->port), 1);
        stat_add32(s, X722_GLV_RDPC(vidx), 1);
        return true;
    }
    r = &s->rxq[q];

    /* VLAN stripping into L2TAG1 */
    if (p.has_vlan && size >= 18 &&
        (v->props[VSIP_PORT_VLAN_FLAGS] & VSI_PVLAN_EMOD_MASK) !=
        VSI_PVLAN_EMOD_NOTHING) {
        strip = true;
        memcpy(frame, buf, 12);
        memcpy(frame + 12, buf + 16, MIN(size - 16, sizeof(frame) - 12));
        len = MIN(size - 4, sizeof(frame));
        data = frame;
    }
    if (len > X722_MAX_FRAME || (r->rxmax && len > r->rxmax)) {
        stat_add32(s, X722_GLPRT_RDPC(s->port), 1);
        return true;                    /* oversize: dropped */
    }
    need = (len + r->dbuff - 1) / r->dbuff;
    if (need == 0) {
        need = 1;
    }
    if (x722_rx_free(r) < need) {
        trace_x722_rx_full(s->pf_id, q);
        return false;
    }

    for (i = 0; i < need; i++) {
        uint64_t desc[2];
        uint64_t daddr = r->base + (uint64_t)r->head * (r->dsize32 ? 32 : 16);
        size_t chunk = MIN(len - i * r->dbuff, r->dbuff);
        bool last = i == need - 1;
        uint64_t wb0;

        if (pci_dma_read(d, daddr, desc, 16) != MEMTX_OK ||
            pci_dma_write(d, le64_to_cpu(desc[0]), data + i * r->dbuff,
                          chunk) != MEMTX_OK) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "x722: pf%u RX queue %u stopped: DMA outside guest "
                          "memory\n", s->pf_id, q);
            r->enabled = false;
            wr(s, X722_QRX_ENA(q), rd(s, X722_QRX_ENA(q)) & ~X722_QENA_STAT);
            return true;
        }
        qw1 = RXD_STATUS_DD | ((uint64_t)chunk << RXD_LEN_PBUF_SHIFT);
        wb0 = 0;
        if (last) {
            qw1 |= RXD_STATUS_EOF;
            qw1 |= (uint64_t)p.ptype << RXD_PTYPE_SHIFT;
            if (p.l3l4p) {
                qw1 |= RXD_STATUS_L3L4P;
                if (p.ip_csum_bad) {
                    qw1 |= RXD_ERROR_IPE;
                }
                if (p.l4_csum_bad) {
                    qw1 |= RXD_ERROR_L4E;
                }
            }
            if (strip) {
                qw1 |= RXD_STATUS_L2TAG1P;
                wb0 |= (uint64_t)p.vlan << 16;
            }
            if (hashed) {
                qw1 |= RXD_FLTSTAT_RSS << RXD_STATUS_FLTSTAT_SHIFT;
                wb0 |= (uint64_t)hash << 32;
            }
            if (is_broadcast_ether_addr(buf)) {
                qw1 |= 3ull << RXD_STATUS_UMB_SHIFT;
            } else if (is_multicast_ether_addr(buf)) {
                qw1 |= 2ull << RXD_STATUS_UMB_SHIFT;
            }
        }
        desc[0] = cpu_to_le64(wb0);
        desc[1] = cpu_to_le64(qw1);
        if (pci_dma_write(d, daddr, desc, 16) != MEMTX_OK) {
            r->enabled = false;
            return true;
        }
        r->head = (r->head + 1) % r->qlen;
    }
    trace_x722_rx_pkt(s->pf_id, q, len, hash, hashed);

    /* statistics, as the wire counted the frame (with FCS) */
    if (is_broadcast_ether_addr(buf)) {
        stat_add48(s, X722_GLPRT_BPRCL(s->port), 1);
        stat_add48(s, X722_GLV_BPRCL(vidx), 1);
    } else if (is_multicast_ether_addr(buf)) {
        stat_add48(s, X722_GLPRT_MPRCL(s->port), 1);
        stat_add48(s, X722_GLV_MPRCL(vidx), 1);
    } else {
        stat_add48(s, X722_GLPRT_UPRCL(s->port), 1);
        stat_add48(s, X722_GLV_UPRCL(vidx), 1);
    }
    stat_add48(s, X722_GLPRT_GORCL(s->port), size + 4);
    stat_add48(s, X722_GLV_GORCL(vidx), size + 4);
    {
        size_t l = size + 4;
        unsigned b = l <= 64 ? 0 : l <= 127 ? 1 : l <= 255 ? 2 :
                     l <= 511 ? 3 : l <= 1023 ? 4 : l <= 1522 ? 5 : 6;
        stat_add48(s, X722_GLPRT_PRC64L(s->port) + b * 0x20, 1);
    }
    x722_queue_irq(s, true, q);
    return true;
}

/*
 * The RX packet buffer.  A frame whose ring has no free descriptor waits
 * in the port's packet buffer, and so do the frames behind it (head of
 * line, as on the 700 series with no per-queue drop enable), until the
 * driver writes a tail.  When the buffer is full the arriving frame is
 * dropped and counted in GLPRT_RDPC (ethtool -S port.rx_discards), never
 * dropped silently.  Its size is the "rx-pktbuf" property.
 */
static void x722_rx_hold(X722State *s, const uint8_t *buf, size_t size)
{
    X722HeldFrame *f;

    if (s->rx_held_bytes + size > s->rx_pktbuf) {
        trace_x722_rx_overflow(s->pf_id, size, s->rx_held_bytes);
        stat_add32(s, X722_GLPRT_RDPC(s->port), 1);
        return;
    }
    f = g_malloc(sizeof(*f) + size);
    f->len = size;
    memcpy(f->data, buf, size);
    QSIMPLEQ_INSERT_TAIL(&s->rx_held, f, next);
    s->rx_held_bytes += size;
}

/* deliver what the packet buffer holds, in order, while rings have room */
static void x722_rx_drain(X722State *s)
{
    X722HeldFrame *f;

    while ((f = QSIMPLEQ_FIRST(&s->rx_held)) &&
           x722_can_receive(qemu_get_queue(s->nic))) {
        if (!x722_rx_frame(s, f->data, f->len)) {
            return;
        }
        QSIMPLEQ_REMOVE_HEAD(&s->rx_held, next);
        s->rx_held_bytes -= f->len;
        g_free(f);
    }
}

/* reset: what the packet buffer held is lost, as on the silicon */
static void x722_rx_flush_held(X722State *s)
{
    X722HeldFrame *f;

    while ((f = QSIMPLEQ_FIRST(&s->rx_held))) {
        QSIMPLEQ_REMOVE_HEAD(&s->rx_held, next);
        g_free(f);
    }
    s->rx_held_bytes = 0;
}

/* a ring got room, a queue or the bus changed: move what waits */
static void x722_rx_kick(X722State *s)
{
    x722_rx_drain(s);
    if (s->link_up) {
        qemu_flush_queued_packets(qemu_get_queue(s->nic));
    }
}

static ssize_t x722_receive(NetClientState *nc, const uint8_t *buf,
                            size_t size)
{
    X722State *s = qemu_get_nic_opaque(nc);

    if (!x722_can_receive(nc)) {
        return size;
    }
    x722_rx_drain(s);
    if (!QSIMPLEQ_EMPTY(&s->rx_held) || !x722_rx_frame(s, buf, size)) {
        x722_rx_hold(s, buf, size);
    }
    return size;
}

/* ------------------------------------------------------------------ */
/* admin queue                                                          */

typedef struct X722AqCmd {
    uint8_t desc[32];
    uint16_t flags;
    uint16_t opcode;
    uint16_t datalen;
    uint8_t *buf;               /* datalen bytes, in and out */
    uint16_t outlen;            /* bytes of buf to write back */
} X722AqCmd;

#define P(c, o) ((c)->desc + 16 + (o))     /* params byte o */

static void x722_arq_post(X722State *s, uint16_t opcode, const uint8_t *params,
                          const void *data, uint16_t len)
{
    PCIDevice *d = PCI_DEVICE(s);
    uint32_t alen = rd(s, X722_PF_ARQLEN);
    unsigned n = alen & X722_AQLEN_LEN_MASK;
    unsigned head = rd(s, X722_PF_ARQH) & X722_AQLEN_LEN_MASK;
    unsigned tail = rd(s, X722_PF_ARQT) & X722_AQLEN_LEN_MASK;
    uint64_t base = ((uint64_t)rd(s, X722_PF_ARQBAH) << 32) |
                    rd(s, X722_PF_ARQBAL);
    uint8_t desc[32];
    uint16_t flags = AQ_FLAG_DD | AQ_FLAG_CMP;

    if (!(alen & X722_AQLEN_ENABLE) || n == 0 || head >= n) {
        return;
    }
    if (head == tail) {
        wr(s, X722_PF_ARQLEN, alen | X722_AQLEN_OVFL);
        return;
    }
    if (pci_dma_read(d, base + head * 32, desc, 32) != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "x722: ARQ ring unreadable\n");
        wr(s, X722_PF_ARQLEN, alen | X722_AQLEN_CRIT);
        return;
    }
    if (len) {
        uint64_t ba = ((uint64_t)ld32(desc + 24) << 32) | ld32(desc + 28);
        uint16_t blen = ld16(desc + 4);

        len = MIN(len, blen);
        if (pci_dma_write(d, ba, data, len) != MEMTX_OK) {
            qemu_log_mask(LOG_GUEST_ERROR, "x722: ARQ buffer unwritable\n");
            wr(s, X722_PF_ARQLEN, alen | X722_AQLEN_CRIT);
            return;
        }
        flags |= AQ_FLAG_BUF;
    }
    st16(desc, flags);
    st16(desc + 2, opcode);
    st16(desc + 4, len);
    st16(desc + 6, 0);
    st32(desc + 8, 0);
    st32(desc + 12, 0);
    if (params) {
        memcpy(desc + 16, params, len ? 8 : 16);
    } else {
        memset(desc + 16, 0, len ? 8 : 16);
    }
    if (pci_dma_write(d, base + head * 32, desc, 32) != MEMTX_OK) {
        wr(s, X722_PF_ARQLEN, alen | X722_AQLEN_CRIT);
        return;
    }
    wr(s, X722_PF_ARQH, (head + 1) % n);
    trace_x722_arq_event(s->pf_id, opcode);
    x722_icr0_raise(s, X722_ICR0_ADMINQ);
}

static void x722_link_params(X722State *s, uint8_t *p)
{
    memset(p, 0, 16);
    st16(p, s->lse_enabled ? 1 : 0);
    p[2] = 0x14;                    /* PHY type 10GBASE-SR */
    p[3] = s->link_up ? 0x08 : 0;   /* link speed 10 Gb/s */
    p[4] = (s->link_up ? 0x01 : 0) | 0x40 | 0x80;   /* up, media, ... */
    p[5] = 0x01 | 0x80;             /* AN complete, qualified module */
    p[6] = 0;
    p[7] = 0;
    st16(p + 8, X722_MAX_FRAME);
    p[10] = 0x04;                   /* CRC enabled */
}

static void x722_link_event(X722State *s)
{
    uint8_t p[16];

    if (!s->lse_enabled || (s->phy_int_mask & 0x2)) {
        return;
    }
    x722_link_params(s, p);
    x722_arq_post(s, 0x0607, p, NULL, 0);
}

static X722Vsi *x722_vsi_by_seid(X722State *s, uint16_t seid)
{
    unsigned i;

    for (i = 0; i < X722_MAX_VSI; i++) {
        if (s->vsi[i].used && s->vsi[i].seid == seid) {
            return &s->vsi[i];
        }
    }
    return NULL;
}

static X722Vsi *x722_vsi_by_number(X722State *s, uint16_t num)
{
    unsigned i;

    for (i = 0; i < X722_MAX_VSI; i++) {
        if (s->vsi[i].used && s->vsi[i].number == num) {
            return &s->vsi[i];
        }
    }
    return NULL;
}

static void x722_vsi_init(X722State *s, unsigned i, uint8_t type)
{
    X722Vsi *v = &s->vsi[i];

    memset(v, 0, sizeof(*v));
    memset(s->filters[i], 0, sizeof(s->filters[i]));
    v->used = true;
    v->type = type;
    v->number = s->pf_id * X722_MAX_VSI + i + 1;
    v->seid = X722_VSI_SEID_BASE + v->number;
    /* firmware-written part: queue set handles, stat counter index */
    st16(v->props + VSIP_QS_HANDLE, 0x10 * (s->pf_id + 1));
    for (unsigned k = 1; k < 8; k++) {
        st16(v->props + VSIP_QS_HANDLE + 2 * k, 0xffff);
    }
    st16(v->props + VSIP_STAT_COUNTER_IDX, v->number);
    st16(v->props + VSIP_SCHED_ID, 0);
    /* defaults: contiguous queue map of one queue, strip VLAN tags */
    st16(v->props + VSIP_QUEUE_MAPPING, 0);
    st16(v->props + VSIP_TC_MAPPING, 0);
    v->props[VSIP_PORT_VLAN_FLAGS] = 0x03;
    v->props[2] = 0;
}

static void x722_vsi_update(X722Vsi *v, const uint8_t *in)
{
    static const struct { uint16_t bit; uint8_t from, to; } sec[] = {
        { 0x0001, 2, 6 },       /* switch */
        { 0x0002, 6, 8 },       /* security */
        { 0x0004, 8, 16 },      /* VLAN */
        { 0x0008, 24, 28 },     /* cascaded PV */
        { 0x0010, 16, 20 },     /* ingress UP */
        { 0x0020, 20, 24 },     /* egress UP */
        { 0x0040, 28, 78 },     /* queue mapping */
        { 0x0080, 78, 82 },     /* queueing options */
        { 0x0100, 84, 88 },     /* outer UP */
        { 0x0200, 82, 84 },     /* scheduler */
    };
    uint16_t valid = ld16(in + VSIP_VALID_SECTIONS);
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(sec); i++) {
        if (valid & sec[i].bit) {
            memcpy(v->props + sec[i].from, in + sec[i].from,
                   sec[i].to - sec[i].from);
        }
    }
    st16(v->props + VSIP_VALID_SECTIONS,
         ld16(v->props + VSIP_VALID_SECTIONS) | valid);
}

static void x722_caps(X722State *s, X722AqCmd *c, bool dev)
{
    struct { uint16_t id; uint32_t number, logical, phys; uint8_t major; }
    caps[] = {
        { 0x0001, 0, 0, 0, 1 },                 /* switch mode */
        { 0x0002, 1, 0, 0, 1 },                 /* manageability mode */
        { 0x0005, 0x3, 0, 0, 1 },               /* functions valid: 0, 1 */
        { 0x0017, 64, 0, 0, 1 },                /* VSIs */
        { 0x0040, X722_PF_LUT_SIZE, 7, 0, 1 },  /* RSS: 512 x 7 bits */
        { 0x0041, s->num_qp, 0, 0, 1 },         /* RX queues */
        { 0x0042, s->num_qp, 0, 0, 1 },         /* TX queues */
        { 0x0043, X722_NUM_VECTORS, 0, 0, 1 },  /* MSI-X vectors */
        { 0x0080, 0, 0, 0, 1 },                 /* NVM management */
    };
    unsigned n = ARRAY_SIZE(caps), i;
    unsigned need = n * 32;

    if (dev) {
        caps[5].number = caps[6].number = 2 * s->num_qp;
    } else {
        caps[5].phys = caps[6].phys = s->pf_id * s->num_qp;
    }
    st32(P(c, 4), n);
    if (c->datalen < need) {
        st16(c->desc + 4, need);
        st16(c->desc + 6, AQ_RC_ENOMEM);
        return;
    }
    memset(c->buf, 0, need);
    for (i = 0; i < n; i++) {
        uint8_t *e = c->buf + i * 32;
        st16(e, caps[i].id);
        e[2] = caps[i].major;
        st32(e + 4, caps[i].number);
        st32(e + 8, caps[i].logical);
        st32(e + 12, caps[i].phys);
    }
    c->outlen = need;
    st16(c->desc + 4, need);
}

static uint16_t x722_nvm_read(X722State *s, X722AqCmd *c)
{
    uint8_t module = *P(c, 1);
    uint16_t len = ld16(P(c, 2));
    uint32_t off = ld32(P(c, 4)) & 0xffffff;
    uint32_t base = 0, i;

    if (module) {
        base = s->sr[module];
        if (base == 0 || base == 0xffff) {
            return AQ_RC_EINVAL;
        }
        base *= 2;
    }
    if ((len & 1) || (off & 1) || len > c->datalen ||
        base + off + len > sizeof(s->sr)) {
        return AQ_RC_EINVAL;
    }
    for (i = 0; i < len; i += 2) {
        st16(c->buf + i, s->sr[(base + off + i) / 2]);
    }
    c->outlen = len;
    return AQ_RC_OK;
}

static uint16_t x722_macvlan(X722State *s, X722AqCmd *c, bool add)
{
    uint16_t num = ld16(P(c, 0));
    uint16_t seid = ld16(P(c, 2));
    X722Vsi *v;
    unsigned vi, i, k;
    uint16_t rc = AQ_RC_OK;

    v = x722_vsi_by_seid(s, seid & ~MACVLAN_SEID_VALID);
    if (!v) {
        return AQ_RC_EINVAL;
    }
    vi = v - s->vsi;
    if ((size_t)num * 16 > c->datalen) {
        return AQ_RC_EINVAL;
    }
    for (i = 0; i < num; i++) {
        uint8_t *e = c->buf + i * 16;
        uint16_t vlan = ld16(e + 6);
        uint16_t flags = add ? ld16(e + 8) : e[8];
        X722Filter *found = NULL, *free_slot = NULL;

        for (k = 0; k < X722_MAX_FILTERS; k++) {
            X722Filter *f = &s->filters[vi][k];
            if (!f->used) {
                free_slot = free_slot ? free_slot : f;
                continue;
            }
            if (!memcmp(f->mac, e, ETH_ALEN) &&
                (f->vlan == vlan ||
                 ((f->flags & MACVLAN_IGNORE_VLAN) &&
                  (flags & 0x8 /* remove: ignore vlan */ ||
                   flags & MACVLAN_IGNORE_VLAN)))) {
                found = f;
                break;
            }
        }
        if (add) {
            if (!found && !free_slot) {
                e[12] = 0xff;                   /* no resources */
                rc = AQ_RC_ENOSPC;
                continue;
            }
            if (!found) {
                found = free_slot;
                found->used = true;
                memcpy(found->mac, e, ETH_ALEN);
                found->vlan = vlan;
            }
            found->flags = flags;
            e[12] = 0x01;                       /* perfect match */
        } else {
            if (found) {
                found->used = false;
                e[12] = 0;
            } else {
                e[12] = 0xff;
                rc = AQ_RC_ENOENT;
            }
        }
    }
    c->outlen = num * 16;
    return rc;
}

static void x722_aq_command(X722State *s, X722AqCmd *c)
{
    uint16_t rc = AQ_RC_OK;
    X722Vsi *v;

    trace_x722_aq_cmd(s->pf_id, c->opcode, c->datalen);
    if (s->recovery_mode) {
        /* recovery-mode firmware answers only the basics */
        switch (c->opcode) {
        case 0x0001: case 0x0002: case 0x0008: case 0x0009:
        case 0x000A: case 0x000B: case 0x0107: case 0x0701:
        case 0x0702: case 0x0703: case 0x0003:
            break;
        default:
            st16(c->desc + 6, AQ_RC_EMODE);
            return;
        }
    }
    switch (c->opcode) {
    case 0x0001:    /* get version */
        st32(P(c, 0), 0x01000000);
        st32(P(c, 4), X722_FW_BUILD);
        st16(P(c, 8), X722_FW_MAJOR);
        st16(P(c, 10), X722_FW_MINOR);
        st16(P(c, 12), X722_API_MAJOR);
        st16(P(c, 14), X722_API_MINOR);
        break;
    case 0x0002:    /* driver version */
    case 0x0003:    /* queue shutdown */
    case 0x0004:    /* set PF context */
    case 0x0110:    /* clear PXE mode */
        if (c->opcode == 0x0110) {
            wr(s, X722_GLLAN_RCTL_0, 0);
        }
        break;
    case 0x0008: {  /* request resource */
        uint16_t res = ld16(P(c, 0));
        if (res == 1) {             /* NVM */
            if (s->nvm_owned) {
                rc = AQ_RC_EBUSY;
            } else {
                s->nvm_owned = true;
                st32(P(c, 4), 3000);    /* timeout, ms */
            }
        }
        break;
    }
    case 0x0009:    /* release resource */
        if (ld16(P(c, 0)) == 1) {
            s->nvm_owned = false;
        }
        break;
    case 0x000A:    /* list function capabilities */
    case 0x000B:    /* list device capabilities */
        x722_caps(s, c, c->opcode == 0x000B);
        return;
    case 0x0107: {  /* MAC address read */
        uint8_t *b = c->buf;
        if (c->datalen < 24) {
            rc = AQ_RC_EINVAL;
            break;
        }
        memset(b, 0, 24);
        memcpy(b, s->conf.macaddr.a, ETH_ALEN);         /* LAN */
        memcpy(b + 12, s->conf.macaddr.a, ETH_ALEN);    /* port */
        st16(P(c, 0), 0x10 | 0x40);
        c->outlen = 24;
        break;
    }
    case 0x0108:    /* MAC address write (LAA) */
        break;
    case 0x0120:    /* set WoL filter */
    case 0x025E:    /* clear WoL switch filters */
        break;
    case 0x0200: {  /* get switch config */
        uint8_t *b = c->buf;
        if (c->datalen < 32) {
            rc = AQ_RC_ENOMEM;
            break;
        }
        memset(b, 0, 32);
        st16(b, 1);
        st16(b + 2, 1);
        b[16] = SW_ELEM_TYPE_VSI;
        b[17] = 1;
        st16(b + 18, x722_main_vsi(s)->seid);
        st16(b + 20, X722_MAC_SEID(s->port));
        st16(b + 22, X722_PF_SEID(s->pf_id));
        b[27] = 1;                  /* connection type regular */
        st16(P(c, 0), 0);           /* next seid: done */
        c->outlen = 32;
        break;
    }
    case 0x0203:    /* set port parameters */
    case 0x0205:    /* set switch config */
        break;
    case 0x0204:    /* get switch resource alloc */
        *P(c, 0) = 0;
        c->outlen = 0;
        break;
    case 0x0206:    /* rx control register read */
        st32(P(c, 12), rd(s, ld32(P(c, 4)) & (X722_BAR0_SIZE - 4)));
        break;
    case 0x0207: {  /* rx control register write */
        uint32_t a = ld32(P(c, 4)) & (X722_BAR0_SIZE - 4);
        /* the AQ registers themselves are not reachable this way */
        if (a >= X722_PF_ATQBAL && a <= X722_PF_ARQT) {
            rc = AQ_RC_EACCES;
            break;
        }
        x722_reg_write(s, a, ld32(P(c, 12)));
        break;
    }
    case 0x0210: {  /* add VSI */
        unsigned i;
        if (c->datalen < VSI_PROP_LEN) {
            rc = AQ_RC_EINVAL;
            break;
        }
        for (i = 1; i < X722_MAX_VSI && s->vsi[i].used; i++) {
        }
        if (i == X722_MAX_VSI) {
            rc = AQ_RC_ENOSPC;
            break;
        }
        x722_vsi_init(s, i, *P(c, 2));
        v = &s->vsi[i];
        x722_vsi_update(v, c->buf);
        memcpy(c->buf + 96, v->props + 96, 32);
        c->outlen = VSI_PROP_LEN;
        st16(P(c, 0), v->seid);
        st16(P(c, 2), v->number);
        st16(P(c, 4), i + 1);
        st16(P(c, 6), X722_MAX_VSI - i - 1);
        break;
    }
    case 0x0211:    /* update VSI parameters */
    case 0x0212: {  /* get VSI parameters */
        v = x722_vsi_by_seid(s, ld16(P(c, 0)));
        if (!v || c->datalen < VSI_PROP_LEN) {
            rc = v ? AQ_RC_EINVAL : AQ_RC_ENOENT;
            break;
        }
        if (c->opcode == 0x0211) {
            x722_vsi_update(v, c->buf);
        } else {
            memcpy(c->buf, v->props, VSI_PROP_LEN);
            c->outlen = VSI_PROP_LEN;
        }
        st16(P(c, 0), v->seid);
        st16(P(c, 2), v->number);
        st16(P(c, 4), 1);
        st16(P(c, 6), X722_MAX_VSI - 1);
        break;
    }
    case 0x0243:    /* delete element */
        v = x722_vsi_by_seid(s, ld16(P(c, 0)));
        if (!v || v == x722_main_vsi(s)) {
            rc = v ? AQ_RC_EPERM : AQ_RC_EINVAL;
        } else {
            v->used = false;
        }
        break;
    case 0x0250:    /* add MAC/VLAN */
    case 0x0251:    /* remove MAC/VLAN */
        rc = x722_macvlan(s, c, c->opcode == 0x0250);
        break;
    case 0x025A:    /* add control packet filter */
    case 0x025B:    /* remove control packet filter */
        st16(P(c, 0), 1);               /* mac/ethertype filters used */
        st16(P(c, 2), 1);
        st16(P(c, 4), 127);
        st16(P(c, 6), 127);
        break;
    case 0x0252:    /* add VLAN */
    case 0x0253:    /* remove VLAN */
        break;
    case 0x0254: {  /* set VSI promiscuous modes */
        uint16_t fl = ld16(P(c, 0)), valid = ld16(P(c, 2));
        v = x722_vsi_by_seid(s, ld16(P(c, 4)) & 0x7fff);
        if (!v) {
            rc = AQ_RC_EINVAL;
            break;
        }
        v->promisc = (v->promisc & ~valid) | (fl & valid);
        break;
    }
    case 0x0301:    /* DCB ignore PFC */
    case 0x0302:    /* DCB updated */
    case 0x0303:    /* set DCB parameters */
        break;
    case 0x0400:    /* configure VSI BW limit */
    case 0x0406:    /* configure VSI ETS SLA BW limit */
    case 0x0407:    /* configure VSI TC BW */
    case 0x0410:
    case 0x0413:    /* enable switching component ETS */
    case 0x0414:    /* modify switching component ETS */
    case 0x0415:
    case 0x0416:
    case 0x0417:
    case 0x041B:    /* suspend port TX */
    case 0x041C:    /* resume port TX */
    case 0x041D:    /* configure partition BW */
        break;
    case 0x0408:    /* query VSI BW config */
    case 0x040A:    /* query VSI ETS SLA config */
    case 0x0418:    /* query switching component ETS config */
    case 0x041A:    /* query switching component BW config */
        memset(c->buf, 0, c->datalen);
        if (c->datalen) {
            c->buf[0] = 0x01;           /* TC0 valid */
        }
        if (c->opcode == 0x0408 && c->datalen >= 18) {
            st16(c->buf + 16, ld16(x722_main_vsi(s)->props + VSIP_QS_HANDLE));
            for (int k = 1; k < 8 && 16 + 2 * k + 2 <= c->datalen; k++) {
                st16(c->buf + 16 + 2 * k, 0xffff);
            }
        }
        c->outlen = c->datalen;
        break;
    case 0x0419:    /* query port ETS config */
        memset(c->buf, 0, c->datalen);
        if (c->datalen > 8) {
            c->buf[4] = 0x01;           /* TC0 valid */
            c->buf[8] = 100;            /* all bandwidth to TC0 */
        }
        c->outlen = c->datalen;
        break;
    case 0x0600: {  /* get PHY abilities */
        uint8_t *b = c->buf;
        if (c->datalen < 32) {
            rc = AQ_RC_EINVAL;
            break;
        }
        memset(b, 0, c->datalen);
        st32(b, 1u << 0x14);            /* 10GBASE-SR */
        b[4] = 0x08;                    /* 10 Gb/s */
        b[5] = 0x01 | 0x02 | 0x08 | 0x10;   /* pause tx/rx, link, AN */
        b[13] = 0;                      /* phy_type_ext */
        b[14] = 0;                      /* FEC */
        b[16] = 0x01;                   /* phy id */
        b[20] = 0x03;                   /* module type: SFP+ SR */
        b[23] = 0;                      /* no qualified module list */
        c->outlen = MIN(c->datalen, 32);
        break;
    }
    case 0x0601:    /* set PHY config */
    case 0x0603:    /* set MAC config */
    case 0x0618:    /* set loopback modes */
        break;
    case 0x0605:    /* set link restart AN */
        x722_link_event(s);
        break;
    case 0x0607: {  /* get link status */
        uint16_t fl = ld16(P(c, 0));
        if ((fl & 0x3) == 0x3) {
            s->lse_enabled = true;
        } else if ((fl & 0x3) == 0x2) {
            s->lse_enabled = false;
        }
        x722_link_params(s, P(c, 0));
        break;
    }
    case 0x0613:    /* set PHY interrupt mask */
        s->phy_int_mask = ld16(P(c, 8));
        break;
    case 0x0701:    /* NVM read */
        if (!s->nvm_owned) {
            rc = AQ_RC_EACCES;
            break;
        }
        rc = x722_nvm_read(s, c);
        break;
    case 0x0702:    /* NVM erase */
    case 0x0703:    /* NVM update */
    case 0x0704:    /* NVM config read */
    case 0x0705:    /* NVM config write */
        rc = AQ_RC_EPERM;
        break;
    case 0x0A00:    /* LLDP get MIB: the FW LLDP agent is stopped */
    case 0x0A01:    /* LLDP MIB change event */
    case 0x0A07:    /* get CEE DCB config */
        rc = AQ_RC_EPERM;
        break;
    case 0x0A05:    /* LLDP stop */
    case 0x0A06:    /* LLDP start */
    case 0x0A08:    /* LLDP set local MIB */
    case 0x0A09:    /* stop/start specific agent */
    case 0x0A0A:    /* LLDP restore */
        break;
    case 0x0B00:    /* add UDP tunnel */
        st16(P(c, 0), ld16(P(c, 0)));
        *P(c, 12) = 0;                  /* filter index */
        break;
    case 0x0B01:    /* delete UDP tunnel */
        break;
    case 0x0B02:    /* set RSS key */
    case 0x0B04: {  /* get RSS key */
        uint16_t id = ld16(P(c, 0));
        v = (id & 0x8000) ? x722_vsi_by_number(s, id & 0x3ff) : NULL;
        if (!v || c->datalen < X722_RSS_KEY_LEN) {
            rc = AQ_RC_EINVAL;
            break;
        }
        if (c->opcode == 0x0B02) {
            memcpy(v->key, c->buf, X722_RSS_KEY_LEN);
            v->key_set = true;
        } else {
            x722_rss_key(s, v, c->buf);
            c->outlen = X722_RSS_KEY_LEN;
        }
        break;
    }
    case 0x0B03:    /* set RSS LUT */
    case 0x0B05: {  /* get RSS LUT */
        uint16_t id = ld16(P(c, 0));
        bool pf = ld16(P(c, 2)) & 1;
        unsigned n = pf ? X722_PF_LUT_SIZE : X722_VSI_LUT_SIZE;
        uint8_t *lut;

        v = (id & 0x8000) ? x722_vsi_by_number(s, id & 0x3ff) : NULL;
        if (!v || c->datalen < n) {
            rc = AQ_RC_EINVAL;
            break;
        }
        lut = pf ? s->pf_lut : v->lut;
        if (c->opcode == 0x0B03) {
            memcpy(lut, c->buf, n);
        } else {
            memcpy(c->buf, lut, n);
            c->outlen = n;
        }
        break;
    }
    case 0xFF03: {  /* debug read register */
        uint32_t a = ld32(P(c, 4));
        uint32_t val;
        if (a >= X722_BAR0_SIZE || (a & 3)) {
            rc = AQ_RC_EINVAL;
            break;
        }
        val = rd(s, a);
        if (a >= X722_PRTGEN_CNF && a < X722_PRTGEN_CNF + 16) {
            /* ports 0 and 1 exist, 2 and 3 are disabled */
            val = ((a - X722_PRTGEN_CNF) / 4 >= 2) ? 1 : 0;
        }
        st32(P(c, 8), 0);
        st32(P(c, 12), val);
        break;
    }
    case 0xFF04:    /* debug write register */
        rc = AQ_RC_EPERM;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "x722: pf%u unknown admin queue opcode 0x%04x\n",
                      s->pf_id, c->opcode);
        rc = AQ_RC_ESRCH;
        break;
    }
    st16(c->desc + 6, rc);
}

static void x722_atq_process(X722State *s)
{
    PCIDevice *d = PCI_DEVICE(s);
    uint32_t alen = rd(s, X722_PF_ATQLEN);
    unsigned n = alen & X722_AQLEN_LEN_MASK;
    unsigned head = rd(s, X722_PF_ATQH) & X722_AQLEN_LEN_MASK;
    unsigned tail = rd(s, X722_PF_ATQT) & X722_AQLEN_LEN_MASK;
    uint64_t base = ((uint64_t)rd(s, X722_PF_ATQBAH) << 32) |
                    rd(s, X722_PF_ATQBAL);
    static uint8_t buf[X722_AQ_BUF_MAX];

    if (!(alen & X722_AQLEN_ENABLE) || n == 0 || s->in_atq) {
        return;
    }
    if (tail >= n || head >= n) {
        qemu_log_mask(LOG_GUEST_ERROR, "x722: ATQ tail %u beyond length %u\n",
                      tail, n);
        wr(s, X722_PF_ATQLEN, alen | X722_AQLEN_CRIT);
        return;
    }
    while (head != tail) {
        X722AqCmd c;
        uint64_t ba;
        uint16_t flags;

        memset(&c, 0, sizeof(c));
        if (pci_dma_read(d, base + head * 32, c.desc, 32) != MEMTX_OK) {
            qemu_log_mask(LOG_GUEST_ERROR, "x722: ATQ ring unreadable\n");
            wr(s, X722_PF_ATQLEN, alen | X722_AQLEN_CRIT);
            return;
        }
        c.flags = ld16(c.desc);
        c.opcode = ld16(c.desc + 2);
        c.datalen = ld16(c.desc + 4);
        c.buf = buf;
        ba = ((uint64_t)ld32(c.desc + 24) << 32) | ld32(c.desc + 28);
        memset(buf, 0, sizeof(buf));
        st16(c.desc + 6, AQ_RC_OK);
        if (c.flags & AQ_FLAG_BUF) {
            if (c.datalen > X722_AQ_BUF_MAX) {
                st16(c.desc + 6, AQ_RC_E2BIG);
                goto done;
            }
            if (pci_dma_read(d, ba, buf, c.datalen) != MEMTX_OK) {
                qemu_log_mask(LOG_GUEST_ERROR,
                              "x722: AQ opcode 0x%04x buffer 0x%" PRIx64
                              " unreadable\n", c.opcode, ba);
                st16(c.desc + 6, AQ_RC_BAD_ADDR);
                goto done;
            }
        } else {
            c.datalen = 0;
        }
        s->in_atq = true;
        x722_aq_command(s, &c);
        s->in_atq = false;
        if (c.outlen && (c.flags & AQ_FLAG_BUF)) {
            if (pci_dma_write(d, ba, buf, MIN(c.outlen, c.datalen)) !=
                MEMTX_OK) {
                st16(c.desc + 6, AQ_RC_BAD_ADDR);
            }
        }
done:
        trace_x722_aq_done(s->pf_id, c.opcode, ld16(c.desc + 6),
                           ld32(c.desc + 16), ld32(c.desc + 20));
        flags = c.flags | AQ_FLAG_DD | AQ_FLAG_CMP;
        if (ld16(c.desc + 6) != AQ_RC_OK) {
            flags |= AQ_FLAG_ERR;
        }
        st16(c.desc, flags);
        if (pci_dma_write(d, base + head * 32, c.desc, 32) != MEMTX_OK) {
            wr(s, X722_PF_ATQLEN, alen | X722_AQLEN_CRIT);
            return;
        }
        head = (head + 1) % n;
        wr(s, X722_PF_ATQH, head);
    }
}

/* ------------------------------------------------------------------ */
/* resets                                                               */

static void x722_pf_reset(X722State *s)
{
    unsigned i;

    trace_x722_reset(s->pf_id, "pf");
    for (i = 0; i < X722_NUM_QP; i++) {
        s->txq[i].enabled = false;
        s->rxq[i].enabled = false;
        wr(s, X722_QTX_ENA(i), 0);
        wr(s, X722_QRX_ENA(i), 0);
        wr(s, X722_QTX_TAIL(i), 0);
        wr(s, X722_QRX_TAIL(i), 0);
        wr(s, X722_QINT_RQCTL(i), 0);
        wr(s, X722_QINT_TQCTL(i), 0);
    }
    s->tx_len = 0;
    x722_rx_flush_held(s);
    x722_vectors_reset(s);
    for (i = 1; i < X722_NUM_VECTORS; i++) {
        wr(s, X722_PFINT_LNKLSTN(i - 1), 0x7ff);
    }
    wr(s, X722_PFINT_ICR0, 0);
    wr(s, X722_PFINT_ICR0_ENA, 0);
    wr(s, X722_PFINT_LNKLST0, 0x7ff);
    for (i = X722_PF_ATQBAL; i <= X722_PF_ARQT; i += 4) {
        wr(s, i, 0);
    }
    memset(s->sd_valid, 0, sizeof(s->sd_valid));
    for (i = 0; i < 13; i++) {
        wr(s, X722_PFQF_HKEY(i), 0);
    }
    wr(s, X722_PFQF_HENA(0), 0);
    wr(s, X722_PFQF_HENA(1), 0);
    memset(s->pf_lut, 0, sizeof(s->pf_lut));
    memset(s->vsi, 0, sizeof(s->vsi));
    x722_vsi_init(s, 0, 2 /* PF */);
    /* the firmware's default filter: the LAN MAC, any VLAN */
    s->filters[0][0].used = true;
    memcpy(s->filters[0][0].mac, s->conf.macaddr.a, ETH_ALEN);
    s->filters[0][0].flags = MACVLAN_IGNORE_VLAN | 0x1;
    s->nvm_owned = false;
    s->lse_enabled = false;
    s->phy_int_mask = 0;
    wr(s, X722_PFGEN_CTRL, 0);
}

static void x722_regs_init(X722State *s)
{
    memset(s->regs, 0, X722_BAR0_SIZE);
    wr(s, X722_GLGEN_RSTCTL, 8);                    /* GRSTDEL */
    wr(s, X722_GLNVM_ULD, X722_ULD_CORE_DONE | X722_ULD_GLOBAL_DONE |
                          0x7);
    wr(s, X722_GLNVM_GENS, 5u << 5);                /* 64 KiB shadow RAM */
    wr(s, X722_GLNVM_FLA, X722_GLNVM_FLA_LOCKED);
    wr(s, X722_GLNVM_SRCTL, X722_SRCTL_DONE);
    wr(s, X722_PFGEN_PORTNUM, s->port);
    wr(s, X722_PF_FUNC_RID, s->pf_id);
    wr(s, X722_GLPCI_CAPSUP, 0);
    wr(s, X722_GLPCI_CNF2, X722_NUM_VECTORS << 2);
    wr(s, X722_PFLAN_QALLOC, (1u << 31) |
       ((s->pf_id * s->num_qp + s->num_qp - 1) << 16) |
       (s->pf_id * s->num_qp));
    wr(s, X722_GLHMC_LANTXOBJSZ, 7);                /* 128 bytes */
    wr(s, X722_GLHMC_LANRXOBJSZ, 5);                /* 32 bytes */
    wr(s, X722_GLHMC_LANQMAX, 1536);
    wr(s, X722_GLHMC_FCOEDDPOBJSZ, 6);
    wr(s, X722_GLHMC_FCOEFOBJSZ, 6);
    wr(s, X722_GLHMC_FCOEFMAX, 0x1000);
    wr(s, X722_GLHMC_FCOEMAX, 0x1000);
    wr(s, X722_PRTGL_SAH, X722_MAX_FRAME << 16);
    wr(s, X722_REG_MSS, 0x00400040 | (9668 << 16) | 64);
    wr(s, X722_GLQF_FDEVICTENA1, 0xc03);
    wr(s, X722_PFQF_CTL_0, 1u << 16);               /* 512-entry LUT */
    wr(s, X722_GL_FWSTS, s->recovery_mode ?
       (0x0bu << X722_GL_FWSTS_FWS1B_SHIFT) : 0);
    wr(s, X722_PRTDCB_GENS, 0);
    /* 1588: each port's timer belongs to its own PF */
    wr(s, 0x001E4200 /* PRTTSYN_CTL0 */, (uint32_t)s->pf_id << 8);
}

static void x722_device_reset(X722State *s, const char *why)
{
    trace_x722_reset(s->pf_id, why);
    x722_regs_init(s);
    x722_pf_reset(s);
    memset(s->sd_addr, 0, sizeof(s->sd_addr));
}

static X722State *x722_peer(X722State *s)
{
    PCIDevice *d = PCI_DEVICE(s);
    PCIBus *bus = pci_get_bus(d);
    int fn;

    for (fn = 0; fn < 8; fn++) {
        PCIDevice *o = pci_find_device(bus, pci_dev_bus_num(d),
                                       PCI_DEVFN(PCI_SLOT(d->devfn), fn));
        if (o && o != d && object_dynamic_cast(OBJECT(o), TYPE_X722)) {
            return X722(o);
        }
    }
    return NULL;
}

static void x722_reset_timer_cb(void *opaque)
{
    X722State *s = opaque;
    X722State *peer = x722_peer(s);

    x722_device_reset(s, s->pending_reset & X722_RTRIG_GLOBR ? "globr" :
                      "corer");
    if (peer) {
        x722_device_reset(peer, "corer (peer)");
    }
    s->pending_reset = 0;
    x722_rx_kick(s);
}

static void x722_rtrig_write(X722State *s, uint32_t val)
{
    X722State *peer = x722_peer(s);
    uint32_t type = (val & X722_RTRIG_GLOBR) ? 2 : 1;

    if (!(val & (X722_RTRIG_CORER | X722_RTRIG_GLOBR | X722_RTRIG_EMPFWR))) {
        return;
    }
    if (s->pending_reset) {
        return;
    }
    s->pending_reset = val;
    /* device in reset: both functions see it and get a GRST interrupt */
    wr(s, X722_GLGEN_RSTAT, 1 | (type << 2));
    x722_icr0_raise(s, X722_ICR0_GRST);
    if (peer) {
        wr(peer, X722_GLGEN_RSTAT, 1 | (type << 2));
        x722_icr0_raise(peer, X722_ICR0_GRST);
    }
    timer_mod(s->reset_timer,
              qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + 100);
}

/* ------------------------------------------------------------------ */
/* MMIO                                                                 */

static uint64_t x722_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    X722State *s = opaque;
    uint32_t val;

    addr &= ~3ull;
    val = rd(s, addr);
    switch (addr) {
    case X722_PFINT_ICR0:
        wr(s, addr, 0);                 /* read to clear */
        break;
    default:
        break;
    }
    trace_x722_mmio_read(s->pf_id, addr, val);
    return val;
}

static void x722_reg_write(X722State *s, hwaddr addr, uint32_t val)
{
    unsigned q;

    trace_x722_mmio_write(s->pf_id, addr, val);
    switch (addr) {
    case X722_PF_ATQT:
        wr(s, addr, val & X722_AQLEN_LEN_MASK);
        x722_atq_process(s);
        return;
    case X722_PF_ARQT:
        wr(s, addr, val & X722_AQLEN_LEN_MASK);
        return;
    case X722_PF_ATQLEN:
    case X722_PF_ARQLEN:
        wr(s, addr, val);
        return;
    case X722_PFGEN_CTRL:
        if (val & X722_PFGEN_CTRL_PFSWR) {
            x722_pf_reset(s);
        }
        return;
    case X722_GLGEN_RTRIG:
        x722_rtrig_write(s, val);
        return;
    case X722_GLNVM_SRCTL: {
        unsigned a = (val >> 14) & 0x7fff;
        if (val & X722_SRCTL_START) {
            wr(s, X722_GLNVM_SRDATA, (uint32_t)s->sr[a % X722_SR_WORDS] << 16);
        }
        wr(s, addr, (val & ~X722_SRCTL_START) | X722_SRCTL_DONE);
        return;
    }
    case X722_PFHMC_SDCMD:
        x722_sdcmd_write(s, val);
        return;
    case X722_PFINT_DYN_CTL0:
        x722_dyn_ctl_write(s, 0, addr, val);
        return;
    case X722_PFINT_ICR0_ENA:
        wr(s, addr, val);
        x722_misc_check(s);
        return;
    case X722_PFINT_ICR0:
    case X722_GLGEN_RSTAT:
    case X722_GLNVM_ULD:
    case X722_GL_FWSTS:
    case X722_PFGEN_PORTNUM:
    case X722_PF_FUNC_RID:
    case X722_PFLAN_QALLOC:
    case X722_GLPCI_CNF2:
    case X722_GLNVM_GENS:
    case X722_GLNVM_FLA:
        return;                         /* read-only */
    default:
        break;
    }
    if (addr >= X722_PFINT_DYN_CTLN(0) &&
        addr < X722_PFINT_DYN_CTLN(X722_NUM_VECTORS - 1)) {
        x722_dyn_ctl_write(s, (addr - X722_PFINT_DYN_CTLN(0)) / 4 + 1, addr,
                           val);
        return;
    }
    if (addr >= X722_QTX_ENA(0) && addr < X722_QTX_ENA(X722_NUM_QP)) {
        x722_txq_enable(s, (addr - X722_QTX_ENA(0)) / 4, val);
        return;
    }
    if (addr >= X722_QRX_ENA(0) && addr < X722_QRX_ENA(X722_NUM_QP)) {
        x722_rxq_enable(s, (addr - X722_QRX_ENA(0)) / 4, val);
        return;
    }
    if (addr >= X722_QTX_TAIL(0) && addr < X722_QTX_TAIL(X722_NUM_QP)) {
        q = (addr - X722_QTX_TAIL(0)) / 4;
        wr(s, addr, val);
        if (s->txq[q].enabled) {
            if (val >= s->txq[q].qlen) {
                x722_tx_stop(s, q, "tail beyond ring length");
                return;
            }
            s->txq[q].tail = val;
            x722_tx_process(s, q);
        }
        return;
    }
    if (addr >= X722_QRX_TAIL(0) && addr < X722_QRX_TAIL(X722_NUM_QP)) {
        q = (addr - X722_QRX_TAIL(0)) / 4;
        wr(s, addr, val);
        if (s->rxq[q].enabled) {
            if (val >= s->rxq[q].qlen) {
                qemu_log_mask(LOG_GUEST_ERROR,
                              "x722: RX queue %u tail %u beyond ring\n",
                              q, val);
                s->rxq[q].enabled = false;
                wr(s, X722_QRX_ENA(q), rd(s, X722_QRX_ENA(q)) &
                                       ~X722_QENA_STAT);
                return;
            }
            s->rxq[q].tail = val;
            x722_rx_kick(s);
        }
        return;
    }
    if (addr >= X722_PFQF_HLUT(0) && addr < X722_PFQF_HLUT(128)) {
        /* the register view of the PF LUT, 4 entries per register */
        unsigned i = (addr - X722_PFQF_HLUT(0)) / 128;
        if ((addr - X722_PFQF_HLUT(0)) % 128 == 0) {
            s->pf_lut[i * 4 + 0] = val & 0x7f;
            s->pf_lut[i * 4 + 1] = (val >> 8) & 0x7f;
            s->pf_lut[i * 4 + 2] = (val >> 16) & 0x7f;
            s->pf_lut[i * 4 + 3] = (val >> 24) & 0x7f;
        }
    }
    if (addr >= X722_GLPRT_GORCL(0) && addr < 0x00390000) {
        return;                         /* statistics are read-only */
    }
    if (addr >= 0x00266800 && addr < 0x00267000) {
        /* GLQF_PCNT flow director match counters: a write clears */
        wr(s, addr, 0);
        return;
    }
    wr(s, addr, val);
}

static void x722_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    x722_reg_write(opaque, addr & ~3ull, val);
}

static const MemoryRegionOps x722_mmio_ops = {
    .read = x722_mmio_read,
    .write = x722_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* ------------------------------------------------------------------ */
/* QEMU device                                                          */

static void x722_set_link_status(NetClientState *nc)
{
    X722State *s = qemu_get_nic_opaque(nc);
    bool up = !nc->link_down;

    if (up != s->link_up) {
        s->link_up = up;
        x722_link_event(s);
    }
}

static NetClientInfo x722_net_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = x722_can_receive,
    .receive = x722_receive,
    .link_status_changed = x722_set_link_status,
};

/*
 * Test hook, not in the silicon: a dword write of X722_TEST_FW_RECOVERY to
 * config offset X722_CFG_TEST_HOOK (free: MSI-X sits at 0x70, PCIe at
 * 0xa0) makes the device's firmware fall into recovery mode, as when an
 * NVM update fails at runtime.  Recovery firmware answers the admin queue
 * at once; GL_FWSTS shows it after the next CORE or GLOBAL reset, where
 * i40e_rebuild() looks.  The guest reaches config space through sysfs
 * while i40e is bound, which /dev/mem does not allow.
 */
#define X722_CFG_TEST_HOOK      0xfc
#define X722_TEST_FW_RECOVERY   0x52435652u     /* "RVCR" */

static void x722_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                              int len)
{
    X722State *s = X722(d);

    pci_default_write_config(d, addr, val, len);
    pcie_cap_flr_write_config(d, addr, val, len);
    if (addr == X722_CFG_TEST_HOOK && len == 4 &&
        val == X722_TEST_FW_RECOVERY && !s->recovery_mode) {
        X722State *peer = x722_peer(s);

        /* one firmware for both functions */
        s->recovery_mode = true;
        if (peer) {
            peer->recovery_mode = true;
        }
        trace_x722_reset(s->pf_id, "test hook: firmware recovery mode");
    }
    if (range_covers_byte(addr, len, PCI_COMMAND) &&
        (d->config[PCI_COMMAND] & PCI_COMMAND_MASTER)) {
        x722_rx_kick(s);
    }
}

static void x722_realize(PCIDevice *d, Error **errp)
{
    X722State *s = X722(d);
    unsigned i;
    int ret;

    s->pf_id = PCI_FUNC(d->devfn);
    s->port = s->pf_id & 1;
    if (s->num_qp == 0 || s->num_qp > X722_NUM_QP) {
        error_setg(errp, "x722: queues must be 1..%d", X722_NUM_QP);
        return;
    }
    if (s->rx_pktbuf < X722_MAX_FRAME) {
        error_setg(errp, "x722: rx-pktbuf must be at least %u bytes",
                   X722_MAX_FRAME);
        return;
    }
    d->config[PCI_INTERRUPT_PIN] = 1;
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, X722_VENDOR);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, 0x0001);

    s->regs = g_malloc0(X722_BAR0_SIZE);
    memory_region_init_io(&s->mmio, OBJECT(s), &x722_mmio_ops, s,
                          "x722-mmio", X722_BAR0_SIZE);
    pci_register_bar(d, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);
    memory_region_init(&s->msix, OBJECT(s), "x722-msix", X722_MSIX_BAR_SIZE);
    pci_register_bar(d, 3, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->msix);
    ret = msix_init(d, X722_NUM_VECTORS, &s->msix, 3, 0, &s->msix, 3,
                    0x8000, 0x70, errp);
    if (ret) {
        return;
    }
    for (i = 0; i < X722_NUM_VECTORS; i++) {
        msix_vector_use(d, i);
    }
    /* a PCIe endpoint (as e1000e, also on a conventional bus) with FLR */
    if (pcie_endpoint_cap_init(d, 0xa0) < 0) {
        error_setg(errp, "x722: PCIe capability");
        return;
    }
    pcie_cap_flr_init(d);

    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    s->nic = qemu_new_nic(&x722_net_info, &s->conf,
                          object_get_typename(OBJECT(s)),
                          DEVICE(d)->id, &DEVICE(d)->mem_reentrancy_guard, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);
    s->link_up = !qemu_get_queue(s->nic)->link_down;

    QSIMPLEQ_INIT(&s->rx_held);
    s->tx_buf = g_malloc(X722_TX_BUF_MAX);
    s->reset_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL, x722_reset_timer_cb, s);
    for (i = 0; i < X722_NUM_VECTORS; i++) {
        s->vec_self[i] = s;
        s->vec_timer[i] = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                       x722_vector_timer_cb, &s->vec_self[i]);
    }
    x722_sr_init(s);
    x722_device_reset(s, "power-on");
}

static void x722_exit(PCIDevice *d)
{
    X722State *s = X722(d);

    timer_free(s->reset_timer);
    for (unsigned i = 0; i < X722_NUM_VECTORS; i++) {
        timer_free(s->vec_timer[i]);
    }
    g_free(s->tx_buf);
    x722_rx_flush_held(s);
    qemu_del_nic(s->nic);
    msix_uninit(d, &s->msix, &s->msix);
    g_free(s->regs);
}

static void x722_qdev_reset(DeviceState *dev)
{
    X722State *s = X722(dev);

    timer_del(s->reset_timer);
    s->pending_reset = 0;
    /* PCI reset and FLR: the function comes back as after power-on */
    x722_device_reset(s, "pci/flr");
    msix_unuse_all_vectors(PCI_DEVICE(s));
    for (unsigned i = 0; i < X722_NUM_VECTORS; i++) {
        msix_vector_use(PCI_DEVICE(s), i);
    }
}

static Property x722_properties[] = {
    DEFINE_NIC_PROPERTIES(X722State, conf),
    DEFINE_PROP_BOOL("natt-quirk", X722State, natt_quirk, true),
    DEFINE_PROP_BOOL("recovery-mode", X722State, recovery_mode, false),
    DEFINE_PROP_UINT32("queues", X722State, num_qp, X722_NUM_QP),
    DEFINE_PROP_UINT32("rx-pktbuf", X722State, rx_pktbuf, X722_RX_PKTBUF),
    DEFINE_PROP_END_OF_LIST(),
};

static const VMStateDescription x722_vmstate = {
    .name = "x722",
    .unmigratable = 1,
};

static void x722_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = x722_realize;
    k->exit = x722_exit;
    k->config_write = x722_write_config;
    k->vendor_id = X722_VENDOR;
    k->device_id = X722_DEVICE_SFP;
    k->revision = 0x09;
    k->class_id = PCI_CLASS_NETWORK_ETHERNET;
    dc->desc = "Intel Ethernet Connection X722 for 10GbE SFP+ (i40e-espinudp "
               "test model)";
    dc->reset = x722_qdev_reset;
    dc->vmsd = &x722_vmstate;
    device_class_set_props(dc, x722_properties);
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
}

static const TypeInfo x722_info = {
    .name = TYPE_X722,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(X722State),
    .class_init = x722_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void x722_register_types(void)
{
    type_register_static(&x722_info);
}

type_init(x722_register_types)
