// SPDX-License-Identifier: GPL-2.0
/* Copyright(c) 2026 i40e-espinudp authors */

/*
 * x722_rx_test: X722 RX emulation through the real i40e code.
 *
 * Frames (the tests/corpus pcaps and synthetic ones, generated into
 * x722_rx_frames.h at build time) get 16-byte RX write-back descriptors as
 * an X722 writes them: ptype, FLTSTAT (RSS or not), the RSS hash, L2TAG1
 * for a stripped VLAN tag.  In a NAPI poll on the CPU of queue 0 each
 * frame goes through i40e's own i40e_process_skb_fields() (not exported:
 * found by a kprobe's symbol lookup; this file is compiled against the
 * patched i40e sources so struct i40e_ring and i40e_vsi are exact), then
 * through the ESP-in-UDP hook as the patched i40e_clean_rx_irq() calls
 * it, then napi_gro_receive().  An rx_handler on the test netdev records
 * where and how each frame is finally delivered: CPU, skb->hash, l4_hash.
 *
 * Expected values come from the userspace tool tools/espinudp-hash, run on
 * the same frames at build time, never from the module under test.
 *
 * Results: KTAP on the kernel log, every line prefixed "x722_rx_test: ".
 * Loading fails with -EINVAL when a test failed.
 *
 * bench=N (default 0) then times N polls of 64 ESP-in-UDP frames per path
 * (hardware-hashed, hashed and kept, hashed and steered): "# bench:"
 * diagnostics and one result per path (see x722_bench_poll()); then the
 * steered frames' cost on their target CPU, with the test netdev's GRO on
 * and off (see x722_bench_consumer()).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/kmod.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/sched/clock.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>
#include <linux/net/intel/i40e_espinudp.h>

#include "i40e.h"
#include "i40e_txrx_common.h"

struct x722_frame {
	const char *name;
	const u8 *data;
	u16 len;
	u8 ptype;
	u8 strip_vlan;	/* the tag after the MACs is stripped to L2TAG1 */
};

struct x722_config {
	const char *name;
	u8 key[I40E_ESPINUDP_KEY_LEN];
	u8 lut[I40E_ESPINUDP_LUT_MAX];
};

struct x722_expect {
	u32 hash;
	s16 queue;
	u8 hashed;
	u8 cls;
};

/* enum espinudp_class of the core, as the tool prints it */
enum {
	X722_CLS_OTHER,
	X722_CLS_MALFORMED,
	X722_CLS_FRAGMENT,
	X722_CLS_KEEPALIVE,
	X722_CLS_IKE,
	X722_CLS_UDP,
	X722_CLS_ESP,
};

#include "x722_rx_frames.h"

#define X722_HW_HASH		0x5eed0000
#define X722_MAX_BATCH		64
#define X722_TIMEOUT		(2 * HZ)
#define X722_BENCH_WARMUP	4
#define X722_BENCH_MAX		100000

/* bench=N: the timed modes, one KTAP result each after the tests */
enum x722_bench_mode {
	X722_BENCH_UNTOUCHED,	/* FLTSTAT=RSS: the hook's one branch */
	X722_BENCH_HASH_LOCAL,	/* no hash: hashed, kept on this CPU */
	X722_BENCH_STEER,	/* no hash: hashed, steered to another CPU */
	/* steered; the target CPU's time per frame, NETIF_F_GRO on, off */
	X722_BENCH_STEER_GRO_ON,
	X722_BENCH_STEER_GRO_OFF,
	X722_BENCH_MODES,
};

static unsigned int bench;
module_param(bench, uint, 0444);
MODULE_PARM_DESC(bench,
		 "after the tests, time this many 64-frame polls per mode (default 0: no timing, the tests only)");

typedef void (*x722_psf_t)(struct i40e_ring *rx_ring,
			   union i40e_rx_desc *rx_desc, struct sk_buff *skb);
typedef void (*x722_update_rx_t)(struct i40e_vsi *vsi,
				 netdev_features_t features);

/* One frame of a batch: what the "hardware" writes */
struct x722_item {
	u16 frame;
	u8 fltstat;
	u32 hw_hash;
};

/* What the rx_handler saw */
struct x722_record {
	int cpu;
	u32 hash;
	u8 l4_hash;
	u8 delivered;
	u8 vlan_present;
	u16 vlan_tci;
	u64 at;		/* ktime_get_ns() at delivery, bench_ts only */
};

struct x722_test {
	struct net_device *dev;
	struct i40e_pf *pf;
	struct i40e_vsi *vsi;
	struct i40e_ring *ring;
	struct i40e_q_vector *qv;
	const struct x722_config *cfg;
	s16 queue_cpu[X722_NQ];
	int napi_cpu;
	bool napi_enabled;

	struct x722_item items[X722_MAX_BATCH];
	unsigned int nitems, next;
	unsigned int hook_calls;	/* frames i40e_espinudp_rx() offered */
	struct x722_record rec[X722_MAX_BATCH];
	atomic_t delivered;
	struct completion done;

	unsigned int ktap_n;
	unsigned int failed;

	/* bench=N: a poll builds all its skbs first, then times the path */
	bool bench_on;
	u64 bench_path_ns, bench_synth_ns, bench_flush_ns;
	/* the consumer modes: delivery times, the flush's start */
	bool bench_ts;
	u64 bench_flush_at;
	struct sk_buff *bench_skb[X722_MAX_BATCH];
	union i40e_rx_desc bench_desc[X722_MAX_BATCH];
	struct x722_config bench_cfg;
};

#ifdef X722_HAVE_PTYPE_TABLE
/*
 * decode_rx_desc_ptype() in the patched i40e_espinudp_rx() reads i40e's
 * table, which i40e.ko does not export before libie: the definition from
 * the i40e sources this file is compiled against, copied by build.sh.
 */
#include "x722_ptype.h"
#endif

static struct x722_test *x722;
static x722_psf_t x722_process_skb_fields;
typedef int (*x722_get_rss_t)(struct i40e_espinudp_dev *edev,
			      struct i40e_espinudp_rss *rss);
static x722_get_rss_t x722_i40e_get_rss;
static x722_update_rx_t x722_espinudp_update_rx;

/* ---- KTAP ---- */

static void x722_result(bool ok, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	x722->ktap_n++;
	if (!ok)
		x722->failed++;
	pr_info("%s %u %pV\n", ok ? "ok" : "not ok", x722->ktap_n, &vaf);
	va_end(args);
}

static void x722_skip(const char *reason, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	x722->ktap_n++;
	pr_info("ok %u %pV # SKIP %s\n", x722->ktap_n, &vaf, reason);
	va_end(args);
}

/* ---- the esp-udp-rss private flag: a u64 mask (6.1) or a bit (6.12) ---- */

#if defined(I40E_FLAG_ESPINUDP_ENABLED)
static void x722_set_pflag(struct i40e_pf *pf, bool on)
{
	if (on)
		pf->flags |= I40E_FLAG_ESPINUDP_ENABLED;
	else
		pf->flags &= ~I40E_FLAG_ESPINUDP_ENABLED;
}

#define X722_HAVE_PFLAG	1
#elif defined(X722_HAVE_PFLAG_BIT)
/* pf->flags is a bitmap, I40E_FLAG_ESPINUDP_ENA an enum bit */
static void x722_set_pflag(struct i40e_pf *pf, bool on)
{
	if (on)
		set_bit(I40E_FLAG_ESPINUDP_ENA, pf->flags);
	else
		clear_bit(I40E_FLAG_ESPINUDP_ENA, pf->flags);
}

#define X722_HAVE_PFLAG	1
#else
static void x722_set_pflag(struct i40e_pf *pf, bool on)
{
}

#define X722_HAVE_PFLAG	0
#endif

/* MSI-X on: i40e_espinudp_get_rss() then reads q_vector->irq_num */
#if defined(X722_HAVE_PFLAG_BIT)
static void x722_set_msix(struct i40e_pf *pf)
{
	set_bit(I40E_FLAG_MSIX_ENA, pf->flags);
}
#else
static void x722_set_msix(struct i40e_pf *pf)
{
	pf->flags |= I40E_FLAG_MSIX_ENABLED;
}
#endif

/* nr_irqs is not exported to modules since 6.13: irq_get_nr_irqs() */
#ifdef X722_HAVE_IRQ_GET_NR_IRQS
#define x722_nr_irqs()	irq_get_nr_irqs()
#else
#define x722_nr_irqs()	nr_irqs
#endif

/*
 * What i40e_set_priv_flags() and i40e_set_features() do for the hook:
 * change pf->flags or the features, then i40e_espinudp_update_rx().
 */
static void x722_configure(bool pflag, bool rxhash)
{
	struct net_device *dev = x722->dev;

	rtnl_lock();
	x722_set_pflag(x722->pf, pflag);
	x722_espinudp_update_rx(x722->vsi, rxhash ?
				dev->features | NETIF_F_RXHASH :
				dev->features & ~NETIF_F_RXHASH);
	if (rxhash)
		dev->features |= NETIF_F_RXHASH;
	else
		dev->features &= ~NETIF_F_RXHASH;
	rtnl_unlock();
}

/* ---- finding i40e_process_skb_fields() ---- */

static void *x722_lookup(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	u8 *addr;
	int err;

	err = register_kprobe(&kp);
	if (err)
		return ERR_PTR(err);
	addr = (u8 *)kp.addr;
	unregister_kprobe(&kp);
#ifdef CONFIG_X86_KERNEL_IBT
	/* kprobes put an IBT kernel's probe after the ENDBR64 */
	if (!memcmp(addr - 4, "\xf3\x0f\x1e\xfa", 4))
		addr -= 4;
#endif
	return addr;
}

/* ---- the RX path ---- */

static struct sk_buff *x722_build(struct napi_struct *napi,
				  const struct x722_item *it,
				  union i40e_rx_desc *desc)
{
	const struct x722_frame *f = &x722_frames[it->frame];
	unsigned int len = f->len;
	struct sk_buff *skb;
	u64 qw1;

	skb = napi_alloc_skb(napi, len);
	if (!skb)
		return NULL;
	memset(desc, 0, sizeof(*desc));
	qw1 = BIT_ULL(I40E_RX_DESC_STATUS_DD_SHIFT) |
	      BIT_ULL(I40E_RX_DESC_STATUS_EOF_SHIFT) |
	      ((u64)it->fltstat << I40E_RX_DESC_STATUS_FLTSTAT_SHIFT) |
	      ((u64)f->ptype << I40E_RXD_QW1_PTYPE_SHIFT);
	if (f->strip_vlan) {
		/* the X722 strips the outer tag into L2TAG1 */
		qw1 |= BIT_ULL(I40E_RX_DESC_STATUS_L2TAG1P_SHIFT);
		desc->wb.qword0.lo_dword.l2tag1 =
			cpu_to_le16(get_unaligned_be16(f->data + 14));
		skb_put_data(skb, f->data, 2 * ETH_ALEN);
		skb_put_data(skb, f->data + 2 * ETH_ALEN + VLAN_HLEN,
			     len - 2 * ETH_ALEN - VLAN_HLEN);
		len -= VLAN_HLEN;
	} else {
		skb_put_data(skb, f->data, len);
	}
	qw1 |= (u64)len << I40E_RXD_QW1_LENGTH_PBUF_SHIFT;
	desc->wb.qword1.status_error_len = cpu_to_le64(qw1);
	desc->wb.qword0.hi_dword.rss = cpu_to_le32(it->hw_hash);
	return skb;
}

/*
 * bench=N: one poll of the same sequence as x722_poll(), but the skbs and
 * descriptors (the "hardware" side) are built before the clock starts.
 * Timed: eth_skb_pad(), i40e_process_skb_fields(), i40e_espinudp_rx()
 * for every frame and the flush (the batched IPIs): the RX CPU's cost up
 * to the hand-over.  The frames the hook did not consume then go to
 * napi_gro_receive(), untimed: the stack is the same in every mode, and
 * steered frames meet it on their target CPU.
 */
static int x722_bench_poll(struct napi_struct *napi, int budget)
{
	struct sk_buff **skbs = x722->bench_skb;
	struct i40e_ring *ring = x722->ring;
	unsigned int i, n, first;
	bool hooked = false;
	u64 t0, t1, t2, t3;

	first = x722->next;
	n = min_t(unsigned int, x722->nitems - first, budget);
	if (!n) {
		napi_complete_done(napi, 0);
		return 0;
	}
	t0 = local_clock();
	for (i = 0; i < n; i++) {
		skbs[i] = x722_build(napi, &x722->items[first + i],
				     &x722->bench_desc[i]);
		if (skbs[i])
			skbs[i]->mark = first + i + 1;
	}
	t1 = local_clock();
	for (i = 0; i < n; i++) {
		if (!skbs[i])
			continue;
		if (eth_skb_pad(skbs[i])) {
			skbs[i] = NULL;
			continue;
		}
		x722_process_skb_fields(ring, &x722->bench_desc[i], skbs[i]);
		if (i40e_espinudp_rx(ring, &x722->bench_desc[i], skbs[i],
				     &hooked))
			skbs[i] = NULL;
	}
	t2 = local_clock();
	/* a clock that is the same on every CPU, for the target's side */
	if (x722->bench_ts)
		x722->bench_flush_at = ktime_get_ns();
	if (hooked)
		__i40e_espinudp_flush();
	t3 = local_clock();
	for (i = 0; i < n; i++)
		if (skbs[i])
			napi_gro_receive(napi, skbs[i]);

	x722->bench_synth_ns += t1 - t0;
	x722->bench_path_ns += t3 - t1;
	x722->bench_flush_ns += t3 - t2;
	x722->next += n;
	if (n < budget)
		napi_complete_done(napi, n);
	return n;
}

/* One NAPI poll of "RX queue 0": the i40e_clean_rx_irq() sequence */
static int x722_poll(struct napi_struct *napi, int budget)
{
	struct i40e_ring *ring = x722->ring;
	unsigned int done = 0;
	bool hooked = false;

	if (x722->bench_on)
		return x722_bench_poll(napi, budget);

	while (done < budget && x722->next < x722->nitems) {
		unsigned int i = x722->next++;
		union i40e_rx_desc desc;
		struct sk_buff *skb;
		bool called;

		skb = x722_build(napi, &x722->items[i], &desc);
		done++;
		if (!skb)
			continue;
		skb->mark = i + 1;
		/* i40e_cleanup_headers(): pad runts */
		if (eth_skb_pad(skb))
			continue;
		x722_process_skb_fields(ring, &desc, skb);
		/* the patched driver's own helper, from i40e_txrx_common.h */
		called = false;
		if (!i40e_espinudp_rx(ring, &desc, skb, &called))
			napi_gro_receive(napi, skb);
		x722->hook_calls += called;
		hooked |= called;
	}
	if (hooked)
		__i40e_espinudp_flush();

	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

static rx_handler_result_t x722_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct x722_record *r;
	u32 i = skb->mark;

	if (!i || i > x722->nitems)
		goto out;
	r = &x722->rec[i - 1];
	if (r->delivered)
		goto out;
	r->cpu = raw_smp_processor_id();
	r->hash = skb->hash;
	r->l4_hash = skb->l4_hash;
	r->vlan_present = skb_vlan_tag_present(skb);
	r->vlan_tci = skb_vlan_tag_get(skb);
	if (READ_ONCE(x722->bench_ts))
		r->at = ktime_get_ns();
	/* publish the record to the checking thread */
	smp_store_release(&r->delivered, 1);
	if (atomic_inc_return(&x722->delivered) == x722->nitems)
		complete(&x722->done);
out:
	kfree_skb(skb);
	return RX_HANDLER_CONSUMED;
}

static long x722_kick_napi(void *unused)
{
	local_bh_disable();
	napi_schedule(&x722->qv->napi);
	local_bh_enable();
	return 0;
}

/* Run the batch in x722->items through NAPI on the CPU of queue 0 */
static bool x722_run(void)
{
	reinit_completion(&x722->done);
	memset(x722->rec, 0, sizeof(x722->rec));
	atomic_set(&x722->delivered, 0);
	x722->next = 0;
	work_on_cpu(x722->napi_cpu, x722_kick_napi, NULL);
	return wait_for_completion_timeout(&x722->done, X722_TIMEOUT);
}

/* ---- the device the hook sees ---- */

static int x722_get_rss(struct i40e_espinudp_dev *edev,
			struct i40e_espinudp_rss *rss)
{
	unsigned int q;

	memcpy(rss->key, x722->cfg->key, I40E_ESPINUDP_KEY_LEN);
	memcpy(rss->lut, x722->cfg->lut, I40E_ESPINUDP_LUT_MAX);
	rss->key_len = I40E_ESPINUDP_KEY_LEN;
	rss->lut_size = I40E_ESPINUDP_LUT_MAX;
	rss->num_queues = X722_NQ;
	for (q = 0; q < I40E_ESPINUDP_MAX_QUEUES; q++)
		rss->queue_cpu[q] = q < X722_NQ ? x722->queue_cpu[q] : -1;
	return 0;
}

static netdev_tx_t x722_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops x722_netdev_ops = {
	.ndo_start_xmit	= x722_xmit,
};

static void x722_teardown(void)
{
	struct net_device *dev = x722->dev;

	if (x722->vsi && x722->vsi->espinudp_added)
		i40e_espinudp_dev_del(&x722->vsi->espinudp);
	/* as i40e_down(): NAPI off before free_netdev() deletes it */
	if (x722->napi_enabled)
		napi_disable(&x722->qv->napi);
	if (dev) {
		rtnl_lock();
		if (dev->reg_state == NETREG_REGISTERED) {
			netdev_rx_handler_unregister(dev);
			unregister_netdevice(dev);
		}
		rtnl_unlock();
		free_netdev(dev);
	}
	kfree(x722->qv);
	kfree(x722->ring);
	kfree(x722->vsi);
	kvfree(x722->pf);
	kfree(x722);
	x722 = NULL;
}

static int x722_setup(void)
{
	struct net_device *dev;
	unsigned int q;
	int cpu, err;

	x722 = kzalloc(sizeof(*x722), GFP_KERNEL);
	if (!x722)
		return -ENOMEM;
	init_completion(&x722->done);
	x722->cfg = &x722_configs[0];

	/* queue q is serviced by the q-th online CPU, cyclically */
	cpu = cpumask_first(cpu_online_mask);
	for (q = 0; q < X722_NQ; q++) {
		x722->queue_cpu[q] = cpu;
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	x722->napi_cpu = x722->queue_cpu[0];

	/* i40e's own structures, zeroed: only the links RX needs are set */
	x722->pf = kvzalloc(sizeof(*x722->pf), GFP_KERNEL);
	x722->vsi = kzalloc(sizeof(*x722->vsi), GFP_KERNEL);
	x722->ring = kzalloc(sizeof(*x722->ring), GFP_KERNEL);
	x722->qv = kzalloc(sizeof(*x722->qv), GFP_KERNEL);
	dev = alloc_etherdev_mqs(0, X722_NQ, X722_NQ);
	x722->dev = dev;
	if (!x722->pf || !x722->vsi || !x722->ring || !x722->qv || !dev) {
		err = -ENOMEM;
		goto err_teardown;
	}

	strscpy(dev->name, "x722rxt%d", IFNAMSIZ);
	dev->netdev_ops = &x722_netdev_ops;
	dev->features = NETIF_F_RXHASH | NETIF_F_RXCSUM |
			NETIF_F_HW_VLAN_CTAG_RX;
	dev->hw_features = dev->features;
	dev->flags |= IFF_NOARP;
	eth_hw_addr_random(dev);
	netif_napi_add(dev, &x722->qv->napi, x722_poll);

	x722->vsi->back = x722->pf;
	x722->vsi->netdev = dev;
	x722->ring->netdev = dev;
	x722->ring->vsi = x722->vsi;
	x722->ring->q_vector = x722->qv;
	x722->ring->queue_index = 0;
	x722->qv->vsi = x722->vsi;

	rtnl_lock();
	err = register_netdevice(dev);
	if (!err)
		err = netdev_rx_handler_register(dev, x722_rx_handler, NULL);
	if (!err)
		err = dev_open(dev, NULL);
	rtnl_unlock();
	if (err)
		goto err_teardown;
	napi_enable(&x722->qv->napi);
	x722->napi_enabled = true;

	x722->vsi->espinudp.netdev = dev;
	x722->vsi->espinudp.get_rss = x722_get_rss;
	i40e_espinudp_dev_add(&x722->vsi->espinudp);
	x722->vsi->espinudp_added = true;
	/* i40e_sw_init() sets the flag by default; RXHASH is on */
	x722_configure(true, true);
	return 0;

err_teardown:
	x722_teardown();
	return err;
}

/* ---- test cases ---- */

static void x722_stats(u64 *s)
{
	i40e_espinudp_get_stats(&x722->vsi->espinudp, s);
}

static void x722_batch_all(u8 fltstat, u32 hw_hash)
{
	unsigned int i;

	for (i = 0; i < X722_NFRAMES; i++) {
		x722->items[i].frame = i;
		x722->items[i].fltstat = fltstat;
		x722->items[i].hw_hash = hw_hash ? hw_hash + i : 0;
	}
	x722->nitems = X722_NFRAMES;
}

static bool x722_check_vlan(const struct x722_frame *f,
			    const struct x722_record *r)
{
	if (!f->strip_vlan)
		return true;
	return r->vlan_present &&
	       (r->vlan_tci & VLAN_VID_MASK) ==
	       (get_unaligned_be16(f->data + 14) & VLAN_VID_MASK);
}

/* IPv4/UDP/PAY4 and IPv6/UDP/PAY4 in i40e's ptype table */
static bool x722_ptype_udp(u8 ptype)
{
	return ptype == 24 || ptype == 90;
}

/*
 * Frames without a hardware hash, hook on: the software hash, its type,
 * and the CPU of the queue lut[hash] names must match the tool's answer.
 */
static void x722_test_hook(unsigned int c)
{
	u64 before[I40E_ESPINUDP_STAT_NUM], after[I40E_ESPINUDP_STAT_NUM];
	const struct x722_config *cfg = &x722_configs[c];
	unsigned int i, hashed = 0, esp = 0, moved;
	bool delivered_all;

	x722_stats(before);
	x722_batch_all(0, 0);
	delivered_all = x722_run();

	for (i = 0; i < X722_NFRAMES; i++) {
		const struct x722_expect *e = &x722_expect[c][i];
		const struct x722_frame *f = &x722_frames[i];
		const struct x722_record *r = &x722->rec[i];
		/*
		 * i40e offers only plain UDP ptypes to the hook: a fragment
		 * (ptype IPV4_FRAG/IPV6_FRAG, which a real X722 hashes over
		 * the 2-tuple itself), TCP or ARP without a hash stays so.
		 */
		bool offered = x722_ptype_udp(f->ptype);
		bool h = offered && e->hashed;
		int cpu = h ? x722->queue_cpu[e->queue] : x722->napi_cpu;
		u32 want = h ? e->hash : 0;
		bool l4 = h && e->cls != X722_CLS_FRAGMENT;
		bool ok;

		hashed += h;
		esp += offered && e->cls == X722_CLS_ESP;
		/* pairs with the rx_handler's release */
		ok = smp_load_acquire(&r->delivered) && r->hash == want &&
		     r->l4_hash == l4 && r->cpu == cpu && x722_check_vlan(f, r);
		x722_result(ok, "%s %s: hash %08x l4 %u cpu %d (want %08x l4 %u queue %d cpu %d%s)",
			    cfg->name, f->name, r->hash, r->l4_hash,
			    r->delivered ? r->cpu : -1, want, l4, e->queue,
			    cpu, offered ? "" : ", not UDP: not offered");
	}

	x722_stats(after);
	moved = after[I40E_ESPINUDP_STAT_STEERED] -
		before[I40E_ESPINUDP_STAT_STEERED] +
		after[I40E_ESPINUDP_STAT_LOCAL] -
		before[I40E_ESPINUDP_STAT_LOCAL];
	x722_result(delivered_all &&
		    after[I40E_ESPINUDP_STAT_HASHED] -
		    before[I40E_ESPINUDP_STAT_HASHED] == hashed &&
		    after[I40E_ESPINUDP_STAT_ESP] -
		    before[I40E_ESPINUDP_STAT_ESP] == esp && moved == hashed,
		    "%s counters: hashed +%llu esp +%llu steered+local +%u (want %u %u %u), all delivered %d",
		    cfg->name,
		    after[I40E_ESPINUDP_STAT_HASHED] -
		    before[I40E_ESPINUDP_STAT_HASHED],
		    after[I40E_ESPINUDP_STAT_ESP] -
		    before[I40E_ESPINUDP_STAT_ESP], moved, hashed, esp, hashed,
		    delivered_all);
}

static bool x722_sel_all(unsigned int i)
{
	return true;
}

/* What ATR matches: TCP */
static bool x722_sel_tcp(unsigned int i)
{
	return x722_frames[i].ptype == 26 || x722_frames[i].ptype == 92;
}

/* What "ethtool -N ... dst-port 4500 action N" matches: ESP-in-UDP */
static bool x722_sel_natt(unsigned int i)
{
	return x722_ptype_udp(x722_frames[i].ptype) &&
	       x722_expect[0][i].cls == X722_CLS_ESP;
}

/*
 * Every selected frame reaches the stack with no hash, on the NAPI CPU,
 * i40e never offers it to the hook, and the hook counts nothing: @what
 * says why.  FLTSTAT FD_ID (a Flow Director match) carries no hash.
 */
static void x722_test_untouched(const char *what, u8 fltstat,
				bool (*sel)(unsigned int i))
{
	u64 before[I40E_ESPINUDP_STAT_NUM], after[I40E_ESPINUDP_STAT_NUM];
	unsigned int i, n = 0, bad = 0, calls;
	bool all;

	for (i = 0; i < X722_NFRAMES; i++) {
		if (!sel(i))
			continue;
		x722->items[n].frame = i;
		x722->items[n].fltstat = fltstat;
		x722->items[n].hw_hash =
			fltstat == I40E_RX_DESC_FLTSTAT_RSS_HASH ?
			X722_HW_HASH + i : 0;
		n++;
	}
	x722->nitems = n;

	x722_stats(before);
	calls = x722->hook_calls;
	all = x722_run();
	calls = x722->hook_calls - calls;
	x722_stats(after);
	for (i = 0; i < n; i++) {
		const struct x722_record *r = &x722->rec[i];

		if (!r->delivered || r->hash || r->cpu != x722->napi_cpu) {
			if (!bad)
				pr_info("# %s: %s hash %08x cpu %d\n", what,
					x722_frames[x722->items[i].frame].name,
					r->hash, r->delivered ? r->cpu : -1);
			bad++;
		}
	}
	x722_result(n && all && !bad && !calls &&
		    after[I40E_ESPINUDP_STAT_HASHED] ==
		    before[I40E_ESPINUDP_STAT_HASHED],
		    "%s: %u/%u frames unhashed on cpu %d, offered to the hook %u, hook hashed +%llu",
		    what, n - bad, n, x722->napi_cpu, calls,
		    after[I40E_ESPINUDP_STAT_HASHED] -
		    before[I40E_ESPINUDP_STAT_HASHED]);
}

/* FLTSTAT=RSS: the hardware hash stays, with i40e's hash type */
static void x722_test_hw_hashed(void)
{
	u64 before[I40E_ESPINUDP_STAT_NUM], after[I40E_ESPINUDP_STAT_NUM];
	unsigned int i, bad = 0;
	bool all;

	x722_stats(before);
	x722_batch_all(I40E_RX_DESC_FLTSTAT_RSS_HASH, X722_HW_HASH);
	all = x722_run();
	x722_stats(after);
	for (i = 0; i < X722_NFRAMES; i++) {
		const struct x722_record *r = &x722->rec[i];
		u8 pt = x722_frames[i].ptype;
		/* i40e hashes L4 for TCP/UDP ptypes, L3 for other IP */
		bool l4 = pt == 24 || pt == 26 || pt == 90 || pt == 92;

		if (!r->delivered || r->hash != X722_HW_HASH + i ||
		    r->cpu != x722->napi_cpu || (pt != 1 && r->l4_hash != l4)) {
			if (!bad)
				pr_info("# hw-hashed: %s hash %08x l4 %u cpu %d\n",
					x722_frames[i].name, r->hash,
					r->l4_hash, r->delivered ? r->cpu : -1);
			bad++;
		}
	}
	x722_result(all && !bad && after[I40E_ESPINUDP_STAT_HASHED] ==
		    before[I40E_ESPINUDP_STAT_HASHED],
		    "hardware-hashed (FLTSTAT=RSS): %u/%u frames keep the descriptor hash, hook hashed +%llu",
		    X722_NFRAMES - bad, X722_NFRAMES,
		    after[I40E_ESPINUDP_STAT_HASHED] -
		    before[I40E_ESPINUDP_STAT_HASHED]);
}

/*
 * i40e's own get_rss() on a real IRQ: the CPU of a queue is where the
 * kernel delivers its vector.  A PF, VSI, rings and q_vectors as i40e
 * leaves them after request_irq(): affinity_mask = cpu_possible_mask,
 * only a hint set.  The "vector" of every queue is a real IRQ of this
 * machine; the test moves it to each online CPU in turn and i40e must
 * report where the kernel then delivers it.  The key and LUT copies
 * are current (no stale bit), so no admin queue command is issued.
 */
static void x722_test_get_rss(void)
{
	struct i40e_q_vector *qv = NULL;
	struct i40e_espinudp_rss *rss;
	struct i40e_ring **rings = NULL;
	struct i40e_ring *ring = NULL;
	cpumask_var_t saved;
	struct i40e_vsi *vsi = NULL;
	struct i40e_pf *pf = NULL;
	unsigned int irq, cpu, q, nonzero = 0, bad = 0, tried = 0;
	int err = -ENOMEM;

	if (!x722_i40e_get_rss) {
		x722_skip("i40e_espinudp_get_rss not found",
			  "get_rss: queue CPU is the IRQ's effective affinity");
		return;
	}
	rss = kzalloc(sizeof(*rss), GFP_KERNEL);
	if (!zalloc_cpumask_var(&saved, GFP_KERNEL))
		goto out_rss;
	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	vsi = kzalloc(sizeof(*vsi), GFP_KERNEL);
	ring = kcalloc(X722_NQ, sizeof(*ring), GFP_KERNEL);
	rings = kcalloc(X722_NQ, sizeof(*rings), GFP_KERNEL);
	qv = kcalloc(X722_NQ, sizeof(*qv), GFP_KERNEL);
	if (!rss || !pf || !vsi || !ring || !rings || !qv)
		goto out;

	/*
	 * A real IRQ with a handler, which the kernel may move: the vector
	 * of every queue.  The oracle is where the kernel delivers it, its
	 * effective affinity, read as /proc/irq/N/effective_affinity shows
	 * it.  A move is applied at once for some IRQs and at the next
	 * interrupt for others (x86 without interrupt remapping), so the
	 * test reads the oracle after each move rather than assuming it.
	 */
	for (irq = 1; irq < x722_nr_irqs(); irq++) {
		struct irq_data *d = irq_get_irq_data(irq);

		if (d && irq_has_action(irq) && !irqd_is_per_cpu(d) &&
		    irqd_can_balance(d) && !irqd_affinity_is_managed(d))
			break;
	}
	if (irq >= x722_nr_irqs()) {
		x722_result(false, "get_rss: no IRQ with a handler to use");
		goto out;
	}
	cpumask_copy(saved, irq_data_get_affinity_mask(irq_get_irq_data(irq)));

	x722_set_msix(pf);
	vsi->back = pf;
	vsi->type = I40E_VSI_MAIN;
	vsi->rss_table_size = I40E_HLUT_ARRAY_SIZE;
	vsi->num_queue_pairs = X722_NQ;
	vsi->rx_rings = rings;
	vsi->irqs_ready = true;
	for (q = 0; q < X722_NQ; q++) {
		rings[q] = &ring[q];
		ring[q].q_vector = &qv[q];
		qv[q].irq_num = irq;
		/* what i40e_vsi_alloc_q_vector() sets; request_irq() keeps */
		cpumask_copy(&qv[q].affinity_mask, cpu_possible_mask);
	}
	vsi->espinudp.netdev = x722->dev;

	for_each_online_cpu(cpu) {
		const struct cpumask *eff;
		unsigned int want;

		if (irq_set_affinity(irq, cpumask_of(cpu)))
			continue;
		eff = irq_data_get_effective_affinity_mask(irq_get_irq_data(irq));
		want = cpumask_first_and(eff, cpu_online_mask);
		tried++;
		nonzero += want != 0;
		memset(rss, 0, sizeof(*rss));
		rtnl_lock();
		err = x722_i40e_get_rss(&vsi->espinudp, rss);
		rtnl_unlock();
		for (q = 0; q < X722_NQ; q++) {
			if (err || rss->num_queues != X722_NQ ||
			    rss->queue_cpu[q] != want) {
				if (!bad)
					pr_info("# get_rss: irq %u moved to cpu %u, delivered on %u: err %d, queue %u cpu %d\n",
						irq, cpu, want, err, q,
						rss->queue_cpu[q]);
				bad++;
			}
		}
	}
	irq_set_affinity(irq, saved);
	/* not cpumask_first(&q_vector->affinity_mask) = CPU 0 */
	x722_result(tried >= 2 && nonzero && !bad,
		    "get_rss: irq %u moved over %u CPUs (%u times not delivered on CPU 0), every queue on its effective affinity (%u wrong)",
		    irq, tried, nonzero, bad);
out:
	kfree(qv);
	kfree(rings);
	kfree(ring);
	kfree(vsi);
	kfree(pf);
	free_cpumask_var(saved);
out_rss:
	kfree(rss);
}

static void x722_set_config(unsigned int c)
{
	x722->cfg = &x722_configs[c];
	i40e_espinudp_dev_changed(&x722->vsi->espinudp);
}

static void x722_run_all(bool hook)
{
	unsigned int c;

	pr_info("KTAP version 1\n");
	pr_info("1..%u\n", X722_NCONFIGS * (X722_NFRAMES + 1) + 7 +
		(bench ? X722_BENCH_MODES : 0));
	pr_info("# NAPI on cpu %d, queue cpus %d %d %d %d; hook on %d, vsi->espinudp_rx %d, attached %d\n",
		x722->napi_cpu, x722->queue_cpu[0], x722->queue_cpu[1],
		x722->queue_cpu[2], x722->queue_cpu[3], i40e_espinudp_on(),
		READ_ONCE(x722->vsi->espinudp_rx),
		x722->vsi->espinudp.attached);

	/* config 0: first key; 1: a new key; 2: a new LUT */
	for (c = 0; c < X722_NCONFIGS; c++) {
		unsigned int i;

		if (!hook) {
			for (i = 0; i <= X722_NFRAMES; i++)
				x722_skip("i40e_espinudp is not loaded",
					  "%s frame %u", x722_configs[c].name,
					  i);
			continue;
		}
		x722_set_config(c);
		x722_test_hook(c);
	}

	x722_test_hw_hashed();
	x722_test_get_rss();

	/* Flow Director matches: no hash, but not for the hook either */
	x722_test_untouched("FLTSTAT=FD_ID, ATR-matched TCP",
			    I40E_RX_DESC_FLTSTAT_RSV_FD_ID, x722_sel_tcp);
	x722_test_untouched("FLTSTAT=FD_ID, ntuple rule for ESP-in-UDP to 4500",
			    I40E_RX_DESC_FLTSTAT_RSV_FD_ID, x722_sel_natt);

	/* ethtool -K rxhash off */
	x722_configure(true, false);
	x722_test_untouched("rxhash off, no FLTSTAT", 0, x722_sel_all);
	x722_test_untouched("rxhash off, FLTSTAT=RSS",
			    I40E_RX_DESC_FLTSTAT_RSS_HASH, x722_sel_all);

	/* ethtool --set-priv-flags esp-udp-rss off */
	if (X722_HAVE_PFLAG && hook) {
		x722_configure(false, true);
		x722_test_untouched("private flag esp-udp-rss off", 0,
				    x722_sel_all);
	} else {
		x722_skip(hook ? "no esp-udp-rss flag in these i40e sources" :
			  "i40e_espinudp is not loaded",
			  "private flag esp-udp-rss off");
	}
	x722_configure(true, true);
}

/* ---- bench=N: the cost per frame of each path ---- */

static const char * const x722_bench_name[X722_BENCH_MODES] = {
	[X722_BENCH_UNTOUCHED]	= "untouched",
	[X722_BENCH_HASH_LOCAL]	= "hash_local",
	[X722_BENCH_STEER]	= "steer",
	[X722_BENCH_STEER_GRO_ON]	= "steer_gro_on",
	[X722_BENCH_STEER_GRO_OFF]	= "steer_gro_off",
};

static int x722_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * A full poll of the corpus' ESP-in-UDP frames, cyclically; with @fltstat
 * RSS each gets a descriptor hash.  Returns the number of distinct frames.
 */
static unsigned int x722_bench_batch(u8 fltstat)
{
	u16 esp[X722_NFRAMES];
	unsigned int i, n = 0;

	for (i = 0; i < X722_NFRAMES; i++)
		if (x722_expect[0][i].cls == X722_CLS_ESP &&
		    x722_expect[0][i].hashed)
			esp[n++] = i;
	for (i = 0; n && i < X722_MAX_BATCH; i++) {
		x722->items[i].frame = esp[i % n];
		x722->items[i].fltstat = fltstat;
		x722->items[i].hw_hash = fltstat ? X722_HW_HASH + i : 0;
	}
	x722->nitems = n ? X722_MAX_BATCH : 0;
	return n;
}

/*
 * Frames of the last poll not delivered on @cpu with the expected hash;
 * the first one is shown when @show.
 */
static unsigned int x722_bench_bad(enum x722_bench_mode m, int cpu,
				   bool show)
{
	unsigned int i, bad = 0;

	for (i = 0; i < x722->nitems; i++) {
		const struct x722_item *it = &x722->items[i];
		const struct x722_record *r = &x722->rec[i];
		u32 hash = m == X722_BENCH_UNTOUCHED ? it->hw_hash :
			   x722_expect[0][it->frame].hash;

		/* pairs with the rx_handler's release */
		if (!smp_load_acquire(&r->delivered) || r->cpu != cpu ||
		    r->hash != hash) {
			if (show && !bad)
				pr_info("# bench %s: %s hash %08x cpu %d (want %08x cpu %d)\n",
					x722_bench_name[m],
					x722_frames[it->frame].name, r->hash,
					r->delivered ? r->cpu : -1, hash, cpu);
			bad++;
		}
	}
	return bad;
}

/*
 * ethtool -K x722rxtN gro on|off: the wanted features, then the core's
 * own update (no ndo_set_features: the features simply change).  GRO is a
 * software feature, in hw_features since register_netdevice().  True when
 * dev->features then says what was asked.
 */
static bool x722_set_gro(bool on)
{
	struct net_device *dev = x722->dev;
	bool ok;

	rtnl_lock();
	if (on)
		dev->wanted_features |= NETIF_F_GRO;
	else
		dev->wanted_features &= ~NETIF_F_GRO;
	netdev_update_features(dev);
	ok = !!(dev->features & NETIF_F_GRO) == on;
	rtnl_unlock();
	return ok;
}

/*
 * The consumer modes, one poll: the steered frames' time on the target
 * CPU.  @span: from the first frame's delivery to the rx_handler to the
 * last one's (the backlog poll's napi_gro_receive() and the stack up to
 * the rx_handler for 63 frames, all on the target CPU); @lat: from the
 * start of the flush (the IPI) to the last delivery.  ktime_get_ns() on
 * both CPUs.
 */
static void x722_bench_consumer(u64 *span, u64 *lat)
{
	u64 first = U64_MAX, last = 0;
	unsigned int i;

	for (i = 0; i < x722->nitems; i++) {
		const struct x722_record *r = &x722->rec[i];

		/* pairs with the rx_handler's release */
		if (!smp_load_acquire(&r->delivered))
			continue;
		first = min(first, r->at);
		last = max(last, r->at);
	}
	*span = last > first ? last - first : 0;
	*lat = last > x722->bench_flush_at ? last - x722->bench_flush_at : 0;
}

/*
 * bench polls of 64 frames after X722_BENCH_WARMUP untimed ones; the
 * median poll gives ns_per_frame (the consumer modes: the median span on
 * the target CPU / 63 gives consumer_ns_per_frame).  The result asserts that every frame was
 * delivered, on the CPU the mode sends it to, with the right hash, and
 * that the counters add up.
 */
static void x722_bench_mode(enum x722_bench_mode m, u64 *ns)
{
	u64 before[I40E_ESPINUDP_STAT_NUM], after[I40E_ESPINUDP_STAT_NUM];
	const char *name = x722_bench_name[m];
	bool steer = m >= X722_BENCH_STEER, gro_ok = true;
	bool consumer = m >= X722_BENCH_STEER_GRO_ON;
	u64 *lat = ns + 3 * bench, *span = ns + 2 * bench;
	unsigned int p, bad = 0, lost = 0;
	u64 synth = 0, want, d[4];
	u64 *flush = ns + bench;
	u8 q = steer, fltstat = 0;
	int cpu;

	if (m == X722_BENCH_UNTOUCHED)
		fltstat = I40E_RX_DESC_FLTSTAT_RSS_HASH;
	cpu = x722->queue_cpu[q];
	if (steer && cpu == x722->napi_cpu) {
		x722_skip("one CPU: nowhere to steer", "bench %s", name);
		return;
	}
	if (!x722_bench_batch(fltstat)) {
		x722_skip("no ESP-in-UDP frame in the corpus", "bench %s",
			  name);
		return;
	}
	/* the first key; every LUT entry names queue q */
	memcpy(x722->bench_cfg.key, x722_configs[0].key,
	       I40E_ESPINUDP_KEY_LEN);
	memset(x722->bench_cfg.lut, q, I40E_ESPINUDP_LUT_MAX);
	x722->cfg = &x722->bench_cfg;
	i40e_espinudp_dev_changed(&x722->vsi->espinudp);

	if (consumer) {
		gro_ok = x722_set_gro(m == X722_BENCH_STEER_GRO_ON);
		if (!gro_ok)
			pr_info("# bench %s: NETIF_F_GRO did not change\n",
				name);
		WRITE_ONCE(x722->bench_ts, true);
	}

	x722_stats(before);
	x722->bench_on = true;
	for (p = 0; p < X722_BENCH_WARMUP + bench; p++) {
		x722->bench_path_ns = 0;
		x722->bench_synth_ns = 0;
		x722->bench_flush_ns = 0;
		lost += !x722_run();
		bad += x722_bench_bad(m, cpu, !bad);
		/* let the target CPU finish its poll and go idle */
		usleep_range(200, 300);
		if (p < X722_BENCH_WARMUP)
			continue;
		ns[p - X722_BENCH_WARMUP] = x722->bench_path_ns;
		synth += x722->bench_synth_ns;
		flush[p - X722_BENCH_WARMUP] = x722->bench_flush_ns;
		if (consumer)
			x722_bench_consumer(&span[p - X722_BENCH_WARMUP],
					    &lat[p - X722_BENCH_WARMUP]);
	}
	x722->bench_on = false;
	WRITE_ONCE(x722->bench_ts, false);
	x722_stats(after);

	sort(ns, bench, sizeof(*ns), x722_cmp_u64, NULL);
	sort(flush, bench, sizeof(*flush), x722_cmp_u64, NULL);
	sort(span, bench, sizeof(*span), x722_cmp_u64, NULL);
	sort(lat, bench, sizeof(*lat), x722_cmp_u64, NULL);
	if (consumer)
		pr_info("# bench: mode=%s consumer_ns_per_frame=%llu min=%llu max=%llu flush_to_last_ns=%llu polls=%u frames_per_poll=%u gro=%d cpu=%d\n",
			name, div_u64(span[bench / 2], X722_MAX_BATCH - 1),
			div_u64(span[0], X722_MAX_BATCH - 1),
			div_u64(span[bench - 1], X722_MAX_BATCH - 1),
			lat[bench / 2], bench, X722_MAX_BATCH,
			!!(x722->dev->features & NETIF_F_GRO), cpu);
	else
		pr_info("# bench: mode=%s ns_per_frame=%llu min=%llu max=%llu polls=%u frames_per_poll=%u flush_ns_per_poll=%llu synth_ns_per_frame=%llu cpu=%d\n",
			name, div_u64(ns[bench / 2], X722_MAX_BATCH),
			div_u64(ns[0], X722_MAX_BATCH),
			div_u64(ns[bench - 1], X722_MAX_BATCH), bench,
			X722_MAX_BATCH, flush[bench / 2],
			div_u64(synth, (u64)bench * X722_MAX_BATCH), cpu);

	want = m == X722_BENCH_UNTOUCHED ? 0 :
	       (u64)(X722_BENCH_WARMUP + bench) * X722_MAX_BATCH;
	d[0] = after[I40E_ESPINUDP_STAT_HASHED] -
	       before[I40E_ESPINUDP_STAT_HASHED];
	d[1] = after[I40E_ESPINUDP_STAT_STEERED] -
	       before[I40E_ESPINUDP_STAT_STEERED];
	d[2] = after[I40E_ESPINUDP_STAT_LOCAL] -
	       before[I40E_ESPINUDP_STAT_LOCAL];
	d[3] = after[I40E_ESPINUDP_STAT_BACKLOG_DROP] -
	       before[I40E_ESPINUDP_STAT_BACKLOG_DROP];
	x722_result(gro_ok && !lost && !bad && d[0] == want &&
		    d[1] == (steer ? want : 0) &&
		    d[2] == (m == X722_BENCH_HASH_LOCAL ? want : 0) && !d[3],
		    "bench %s: %u polls, %u bad frames, %u lost polls, on cpu %d: hashed +%llu steered +%llu local +%llu drop +%llu (want %llu %llu %llu 0)",
		    name, X722_BENCH_WARMUP + bench, bad, lost, cpu, d[0],
		    d[1], d[2], d[3], want,
		    steer ? want : 0, m == X722_BENCH_HASH_LOCAL ? want : 0);
}

static void x722_bench_all(bool hook)
{
	unsigned int m;
	u64 *ns;

	/* per poll: the path, the flush alone, the consumer's span, latency */
	ns = kcalloc(4 * bench, sizeof(*ns), GFP_KERNEL);
	for (m = 0; m < X722_BENCH_MODES; m++) {
		if (!ns)
			x722_result(false, "bench %s: no memory",
				    x722_bench_name[m]);
		else if (!hook && m != X722_BENCH_UNTOUCHED)
			x722_skip("i40e_espinudp is not loaded", "bench %s",
				  x722_bench_name[m]);
		else
			x722_bench_mode(m, ns);
	}
	kfree(ns);
	/* as the tests found it */
	x722_set_gro(true);
	x722->cfg = &x722_configs[0];
	i40e_espinudp_dev_changed(&x722->vsi->espinudp);
}

static int __init x722_rx_test_init(void)
{
	void *psf;
	int err;

	BUILD_BUG_ON(X722_NFRAMES > X722_MAX_BATCH);
	if (bench > X722_BENCH_MAX) {
		pr_err("bench=%u: at most %u polls\n", bench, X722_BENCH_MAX);
		return -EINVAL;
	}
	psf = x722_lookup("i40e_process_skb_fields");
	if (IS_ERR(psf)) {
		pr_err("i40e_process_skb_fields not found (%ld): is i40e loaded?\n",
		       PTR_ERR(psf));
		return PTR_ERR(psf);
	}
	x722_process_skb_fields = psf;
	psf = x722_lookup("i40e_espinudp_update_rx");
	if (IS_ERR(psf)) {
		pr_err("i40e_espinudp_update_rx not found (%ld): unpatched i40e?\n",
		       PTR_ERR(psf));
		return PTR_ERR(psf);
	}
	x722_espinudp_update_rx = psf;
	psf = x722_lookup("i40e_espinudp_get_rss");
	x722_i40e_get_rss = IS_ERR(psf) ? NULL : psf;

	/* the module under test; the test still runs i40e alone without it */
	if (!i40e_espinudp_on())
		request_module("i40e_espinudp");

	err = x722_setup();
	if (err)
		return err;
	x722_run_all(i40e_espinudp_on());
	if (bench)
		x722_bench_all(i40e_espinudp_on());
	pr_info("# %u tests, %u failed\n", x722->ktap_n, x722->failed);
	err = x722->failed ? -EINVAL : 0;
	x722_teardown();
	return err;
}

/* Nothing stays behind: the results are in the log */
static void __exit x722_rx_test_exit(void)
{
}

module_init(x722_rx_test_init);
module_exit(x722_rx_test_exit);

MODULE_DESCRIPTION("X722 RX descriptor emulation through i40e and the ESP-in-UDP hook");
MODULE_AUTHOR("i40e-espinudp authors");
MODULE_LICENSE("GPL");
/* i40e's own MODULE_IMPORT_NS() lines, copied by build.sh (maybe none) */
#include "x722_ns.h"
