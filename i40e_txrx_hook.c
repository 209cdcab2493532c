// SPDX-License-Identifier: GPL-2.0
/* Copyright(c) 2026 i40e-espinudp authors */

/*
 * i40e_espinudp: software RSS for ESP-in-UDP (NAT-T) frames that an X722
 * hands up without a hash.  This file is the kernel glue around the pure
 * core (i40e_espinudp.c): registration with the patched i40e, per-device
 * state under RCU, marking, steering to the CPU of the RSS queue, per-CPU
 * counters and the module parameters.
 *
 * Steering works like RPS, with a real NAPI context on the target so that
 * steered frames keep GRO exactly as the frames i40e delivers itself:
 *
 *  - every CPU owns a backlog: a bounded skb queue (its lock is the only
 *    lock of the data path), a NAPI context on a dummy netdev, a
 *    call_single_data for the IPI, a "kicked" flag (under the queue lock:
 *    a poll is due) and an "ipi" bit (the csd is in flight);
 *  - @rx appends the skb to the target's queue; if no poll is due yet it
 *    sets "kicked" and marks the target in this CPU's pending mask;
 *  - @flush (end of the i40e poll) sends at most one IPI per marked CPU,
 *    and none while one is still in flight (test_and_set of "ipi");
 *  - the IPI clears "ipi" and schedules the NAPI context; its poll moves up
 *    to a budget of skbs out of the queue under the lock, clears "kicked"
 *    when the queue is empty, and feeds them to napi_gro_receive().
 *
 * Per-SA order.  The queues are FIFO and the CPU of a frame depends on its
 * hash, so the frames of one SA stay in order as long as the target does
 * not change.  Two rules keep them in order when it does:
 *
 *  - a frame whose target is the CPU running the i40e poll goes the normal
 *    way (napi_gro_receive() on the device's NAPI) only while this CPU's
 *    backlog is idle; otherwise it joins the backlog behind the frames
 *    queued before it.  The poll of queue 0 moves between CPUs with
 *    threaded NAPI, busy polling and IRQ migration;
 *  - like RPS's rps_dev_flow, a table indexed by the hash remembers the CPU
 *    each flow was last queued to and its position in that backlog.  A
 *    flow moves to a new target (an IRQ moved, ethtool -X or -L) only once
 *    the old backlog has delivered its last frame.  Flows that share an
 *    entry overwrite each other (a tag tells them apart): at the moment
 *    of a change, such a flow is protected only if it wrote last.
 *
 * A backlog poll flushes GRO and completes every time (it reschedules
 * itself when frames are left), so no frame waits in its GRO lists
 * between polls: "delivered" means handed to the stack, and a detached
 * device has no frame left behind once a grace period has passed.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <net/busy_poll.h>
#include <linux/net/intel/i40e_espinudp.h>

#include "i40e_espinudp.h"

#ifndef ESPINUDP_VERSION
#define ESPINUDP_VERSION "unknown"
#endif

/*
 * Kernel API differences between the supported lines (6.1 and 6.12, and
 * newer): Kbuild probes the headers and defines ESPINUDP_HAVE_*.  Keep
 * every such test in this section.
 */
#ifdef ESPINUDP_HAVE_NET_HOTDATA	/* 6.9: net_hotdata.max_backlog */
#include <net/hotdata.h>

static unsigned int espinudp_max_backlog(void)
{
	return READ_ONCE(net_hotdata.max_backlog);
}

static bool espinudp_tstamp_prequeue(void)
{
	return READ_ONCE(net_hotdata.tstamp_prequeue);
}
#else
static unsigned int espinudp_max_backlog(void)
{
	return READ_ONCE(netdev_max_backlog);
}

/* net.core.netdev_tstamp_prequeue is not exported before 6.9: default 1 */
static bool espinudp_tstamp_prequeue(void)
{
	return true;
}
#endif

#ifdef ESPINUDP_HAVE_ALLOC_NETDEV_DUMMY	/* 6.10; init_dummy_netdev() goes */
static struct net_device *espinudp_dummy_alloc(void)
{
	return alloc_netdev_dummy(0);
}

static void espinudp_dummy_free(struct net_device *dev)
{
	free_netdev(dev);
}
#else
static struct net_device *espinudp_dummy_alloc(void)
{
	struct net_device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);

	if (dev)
		init_dummy_netdev(dev);
	return dev;
}

static void espinudp_dummy_free(struct net_device *dev)
{
	kfree(dev);
}
#endif
/* End of the compat section */

/* Bytes copied out of a nonlinear skb for classification */
#define ESPINUDP_HDR_COPY	128

/* Per-CPU counters, one u64 per I40E_ESPINUDP_STAT_*, this_cpu_inc() */
struct espinudp_stats {
	u64 cnt[I40E_ESPINUDP_STAT_NUM];
};

/*
 * Flow table (see the top of the file): 1 << ESPINUDP_FLOW_BITS entries
 * per device, indexed by the top bits of the hash.  An entry is
 * (cpu + 1) << 48 | tag << 32 | backlog tail, 0 when unused; the tag, the
 * next 16 bits of the hash, tells flows that share an entry apart, so that
 * one never waits for, or follows, another.
 */
#define ESPINUDP_FLOW_BITS	12
#define ESPINUDP_FLOW_IDX(h)	((h) >> (32 - ESPINUDP_FLOW_BITS))
#define ESPINUDP_FLOW_TAG(h)	((u16)((h) >> (16 - ESPINUDP_FLOW_BITS)))

/*
 * struct espinudp_tables - Toeplitz tables of one key, shared by the
 * generations of a device's state until the key changes
 * @rcu: frees them after the generation that dropped them
 * @key_len: valid bytes of @key
 * @key: the key they were built from
 * @tbl: the tables (48 KiB)
 */
struct espinudp_tables {
	struct rcu_head rcu;
	u16 key_len;
	u8 key[I40E_ESPINUDP_KEY_LEN];
	struct espinudp_toeplitz tbl;
};

/*
 * struct espinudp_state - per-device state, a new generation on every
 * notification
 * @stats: per-CPU counters; shared by all generations of one device
 * @flows: where each flow went last (ESPINUDP_FLOW_BITS); shared by all
 *	generations, written in NAPI with WRITE_ONCE()
 * @tables: Toeplitz tables of the device's key
 * @rcu: frees an old generation
 * @lut_size: valid entries of @lut, a power of two
 * @num_queues: valid entries of @queue_cpu
 * @queue_cpu: CPU servicing each RX queue, -1 when unknown
 * @lut: copy of the device's indirection table
 */
struct espinudp_state {
	struct espinudp_stats __percpu *stats;
	u64 *flows;
	struct espinudp_tables *tables;
	struct rcu_head rcu;
	u16 lut_size;
	u16 num_queues;
	s16 queue_cpu[I40E_ESPINUDP_MAX_QUEUES];
	u8 lut[I40E_ESPINUDP_LUT_MAX];
};

/* Module parameters, RCU-published as a whole */
struct espinudp_cfg {
	struct espinudp_ports ports;
	bool steer;
	struct rcu_head rcu;
};

/*
 * struct espinudp_backlog - the per-CPU target of steered frames
 * @q: the frames; @q.lock is the data path's only lock
 * @kicked: a poll is due (IPI sent or pending, or NAPI scheduled); under
 *	@q.lock
 * @tail: frames ever queued; under @q.lock
 * @head: frames ever taken out: delivered by the poll, or handed over
 *	when a device detaches or the CPU dies
 * @ipi: bit 0 set while @csd is in flight
 * @csd: the IPI, serialized by @ipi
 * @napi: NAPI context on espinudp_dummy, polled on the owning CPU
 */
struct espinudp_backlog {
	struct sk_buff_head q;
	bool kicked;
	u32 tail;
	atomic_t head;
	unsigned long ipi;
	call_single_data_t csd;
	struct napi_struct napi;
};

/* Per-CPU set of backlogs to kick at the end of the current poll */
struct espinudp_pending {
	unsigned int n;
	unsigned long cpus[];
};

static struct espinudp_cfg espinudp_cfg_default = {
	.ports = { .port = { ESPINUDP_DEFAULT_PORT }, .n = 1 },
	.steer = true,
};

static struct espinudp_cfg __rcu *espinudp_cfg =
	RCU_INITIALIZER(&espinudp_cfg_default);
static DEFINE_MUTEX(espinudp_cfg_lock);	/* serializes parameter writers */
/* Set by espinudp_exit(), under espinudp_cfg_lock: parameters are frozen */
static bool espinudp_cfg_dead;
static DEFINE_MUTEX(espinudp_dev_lock);	/* attach / update / detach */

static struct espinudp_backlog __percpu *espinudp_backlog;
static struct espinudp_pending __percpu *espinudp_pending;
static struct net_device *espinudp_dummy;
/* rmmod: steer nothing new, let queued flows finish where they are */
static bool espinudp_draining;
static enum cpuhp_state espinudp_cpuhp;
static enum cpuhp_state espinudp_cpuhp_online;

/* CPUs came or went: IRQs may have moved with no notifier told */
static void espinudp_resync_fn(struct work_struct *work)
{
	i40e_espinudp_resync();
}

static DECLARE_WORK(espinudp_resync_work, espinudp_resync_fn);

/* ---- module parameters ------------------------------------------------ */

static int espinudp_cfg_publish(const struct espinudp_ports *ports, int steer)
{
	struct espinudp_cfg *new, *old;

	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	mutex_lock(&espinudp_cfg_lock);
	/*
	 * A write to /sys/module/i40e_espinudp/parameters can run while
	 * espinudp_exit() runs: the files go only after it returned.
	 */
	if (espinudp_cfg_dead) {
		mutex_unlock(&espinudp_cfg_lock);
		kfree(new);
		return -ENODEV;
	}
	old = rcu_dereference_protected(espinudp_cfg,
					lockdep_is_held(&espinudp_cfg_lock));
	new->ports = ports ? *ports : old->ports;
	new->steer = steer >= 0 ? steer : old->steer;
	rcu_assign_pointer(espinudp_cfg, new);
	mutex_unlock(&espinudp_cfg_lock);

	if (old != &espinudp_cfg_default)
		kfree_rcu(old, rcu);
	return 0;
}

static int espinudp_ports_set(const char *val, const struct kernel_param *kp)
{
	struct espinudp_ports ports = {};
	char buf[64], *s, *tok;
	unsigned int i;
	u16 port;

	if (strscpy(buf, val, sizeof(buf)) < 0) {
		pr_err("ports=: list too long, at most %d ports\n",
		       ESPINUDP_MAX_PORTS);
		return -EINVAL;
	}

	s = strim(buf);
	if (!*s) {
		pr_err("ports=: at least one port is needed (default %d)\n",
		       ESPINUDP_DEFAULT_PORT);
		return -EINVAL;
	}

	while ((tok = strsep(&s, ",")) != NULL) {
		tok = strim(tok);
		if (kstrtou16(tok, 10, &port) || !port) {
			pr_err("ports=: '%s' is not a UDP port in 1..65535\n",
			       tok);
			return -EINVAL;
		}
		for (i = 0; i < ports.n; i++) {
			if (ports.port[i] == port) {
				pr_err("ports=: port %u is listed twice\n",
				       port);
				return -EINVAL;
			}
		}
		if (ports.n == ESPINUDP_MAX_PORTS) {
			pr_err("ports=: more than %d ports\n",
			       ESPINUDP_MAX_PORTS);
			return -EINVAL;
		}
		ports.port[ports.n++] = port;
	}

	return espinudp_cfg_publish(&ports, -1);
}

static int espinudp_ports_get(char *buf, const struct kernel_param *kp)
{
	const struct espinudp_cfg *cfg;
	unsigned int i;
	int len = 0;

	rcu_read_lock();
	cfg = rcu_dereference(espinudp_cfg);
	for (i = 0; i < cfg->ports.n; i++)
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s%u",
				 i ? "," : "", cfg->ports.port[i]);
	rcu_read_unlock();
	len += scnprintf(buf + len, PAGE_SIZE - len, "\n");
	return len;
}

static int espinudp_steer_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v > 1) {
		pr_err("steer=: '%s' is not 0 (hash only) or 1 (steer)\n",
		       val);
		return -EINVAL;
	}
	return espinudp_cfg_publish(NULL, v);
}

static int espinudp_steer_get(char *buf, const struct kernel_param *kp)
{
	bool steer;

	rcu_read_lock();
	steer = rcu_dereference(espinudp_cfg)->steer;
	rcu_read_unlock();
	return scnprintf(buf, PAGE_SIZE, "%d\n", steer);
}

static const struct kernel_param_ops espinudp_ports_ops = {
	.set = espinudp_ports_set,
	.get = espinudp_ports_get,
};

static const struct kernel_param_ops espinudp_steer_ops = {
	.set = espinudp_steer_set,
	.get = espinudp_steer_get,
};

module_param_cb(ports, &espinudp_ports_ops, NULL, 0644);
MODULE_PARM_DESC(ports,
		 "UDP destination ports carrying ESP-in-UDP: comma-separated list of 1..65535, at most 8 (default 4500)");
module_param_cb(steer, &espinudp_steer_ops, NULL, 0644);
MODULE_PARM_DESC(steer,
		 "1: process each hashed frame on the CPU of its RSS queue (default); 0: only set the hash and leave spreading to RPS/RFS");

/* ---- backlog: the receiving side ----------------------------------- */

/* Process context: hand frames to the stack of this CPU, or free them */
static void espinudp_deliver_list(struct sk_buff_head *list,
				  unsigned int *delivered,
				  unsigned int *dropped)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(list))) {
		if (skb->dev->reg_state != NETREG_REGISTERED) {
			kfree_skb(skb);
			(*dropped)++;
		} else if (netif_rx(skb) == NET_RX_DROP) {
			(*dropped)++;
		} else {
			(*delivered)++;
		}
	}
}

static int espinudp_poll(struct napi_struct *napi, int budget)
{
	struct espinudp_backlog *bl;
	struct sk_buff_head list;
	struct sk_buff *skb;
	bool more;
	int work = 0;

	bl = container_of(napi, struct espinudp_backlog, napi);
	__skb_queue_head_init(&list);

	/* At most budget - 1: the poll always completes, see below */
	spin_lock(&bl->q.lock);
	while (work < budget - 1 && (skb = __skb_dequeue(&bl->q))) {
		__skb_queue_tail(&list, skb);
		work++;
	}
	more = !skb_queue_empty(&bl->q);
	/* Empty: the next producer kicks again (and hits MISSED if needed) */
	if (!more)
		bl->kicked = false;
	spin_unlock(&bl->q.lock);

	while ((skb = __skb_dequeue(&list)))
		napi_gro_receive(napi, skb);

	/*
	 * Complete every time: napi_complete_done() flushes GRO and the
	 * rx_list, so every frame taken above has reached the stack and none
	 * waits in GRO for a later poll (per-flow order, detach).  Frames
	 * left over get another poll, after the other NAPIs of this CPU.
	 */
	if (napi_complete_done(napi, work) && more)
		napi_schedule(napi);
	atomic_add(work, &bl->head);
	return work;
}

/* IPI, hard IRQ on the target CPU */
static void espinudp_ipi(void *info)
{
	struct espinudp_backlog *bl = info;

	/*
	 * Release the csd first: a producer that still sees the bit set has
	 * queued its frame before this point, and the poll that follows
	 * napi_schedule() (directly, or through NAPI_STATE_MISSED) sees it.
	 */
	clear_bit(0, &bl->ipi);
	/* Order the clear before napi_schedule() reads the NAPI state */
	smp_mb__after_atomic();
	napi_schedule(&bl->napi);
}

/*
 * Teardown of a dynamic BP prepare state: runs on a control CPU after
 * @cpu is dead.  Producers only queue to active CPUs and do so with BH
 * (hence preemption) disabled, so nothing is added any more: hand what is
 * left to the stack here.  The NAPI context, if scheduled, moves to a live
 * CPU with the dead CPU's poll list and finds an empty queue.
 */
static int espinudp_cpu_dead(unsigned int cpu)
{
	struct espinudp_backlog *bl = per_cpu_ptr(espinudp_backlog, cpu);
	unsigned int delivered = 0, dropped = 0;
	struct sk_buff_head list;

	__skb_queue_head_init(&list);
	spin_lock_bh(&bl->q.lock);
	atomic_add(skb_queue_len(&bl->q), &bl->head);
	skb_queue_splice_init(&bl->q, &list);
	bl->kicked = false;
	spin_unlock_bh(&bl->q.lock);

	espinudp_deliver_list(&list, &delivered, &dropped);
	if (delivered || dropped)
		pr_debug("cpu %u offline: %u backlogged frames handed over, %u dropped\n",
			 cpu, delivered, dropped);

	/* The CPU's IRQs moved to others, and no affinity notifier said so */
	schedule_work(&espinudp_resync_work);
	return 0;
}

/* A CPU came up: IRQs may be moved back to it (irqbalance, an admin) */
static int espinudp_cpu_online(unsigned int cpu)
{
	schedule_work(&espinudp_resync_work);
	return 0;
}

/* Take every frame of @dev out of all backlogs (detach) */
static void espinudp_backlog_flush_dev(struct net_device *dev)
{
	unsigned int delivered = 0, dropped = 0;
	struct sk_buff *skb, *tmp;
	struct sk_buff_head list;
	int cpu;

	__skb_queue_head_init(&list);
	for_each_possible_cpu(cpu) {
		struct espinudp_backlog *bl = per_cpu_ptr(espinudp_backlog,
							  cpu);
		unsigned int n = 0;

		spin_lock_bh(&bl->q.lock);
		skb_queue_walk_safe(&bl->q, skb, tmp) {
			if (skb->dev == dev) {
				__skb_unlink(skb, &bl->q);
				__skb_queue_tail(&list, skb);
				n++;
			}
		}
		/* taken out: flows queued behind them need not wait */
		atomic_add(n, &bl->head);
		spin_unlock_bh(&bl->q.lock);
	}

	espinudp_deliver_list(&list, &delivered, &dropped);
	if (delivered || dropped)
		netdev_info(dev, "espinudp: %u backlogged frames handed over, %u dropped\n",
			    delivered, dropped);
}

/* ---- the RX hook (NAPI context of i40e) ---------------------------- */

/*
 * The target of a flow: @cpu, unless frames of the flow still wait in the
 * backlog of the CPU it was queued to before (see the top of the file).
 */
static int espinudp_flow_cpu(const u64 *ent, u16 tag, int cpu)
{
	u64 e = READ_ONCE(*ent);
	int ocpu = (int)(e >> 48) - 1;
	struct espinudp_backlog *obl;

	/* unused, or another flow's */
	if (!e || (u16)(e >> 32) != tag)
		return cpu;
	if (ocpu == cpu || !cpu_online(ocpu))
		return cpu;
	obl = per_cpu_ptr(espinudp_backlog, ocpu);
	if ((s32)((u32)atomic_read(&obl->head) - (u32)e) < 0)
		return ocpu;
	return cpu;
}

/*
 * Queue @skb on @cpu's backlog, or, when @cpu is this CPU and its backlog
 * is idle, return false: the frame goes the normal way.  Records where the
 * flow went in @ent.
 */
static bool espinudp_enqueue(struct espinudp_state *st,
			     struct napi_struct *napi, struct sk_buff *skb,
			     int cpu, u64 *ent, u16 tag)
{
	struct espinudp_backlog *bl = per_cpu_ptr(espinudp_backlog, cpu);
	bool local = cpu == smp_processor_id();
	struct espinudp_pending *p;
	bool kick = false;
	u32 tail;

	spin_lock(&bl->q.lock);
	if (local && !bl->kicked) {
		/* Nothing of this CPU's backlog is pending: no frame to pass */
		tail = bl->tail;
		spin_unlock(&bl->q.lock);
		WRITE_ONCE(*ent, (u64)(cpu + 1) << 48 | (u64)tag << 32 | tail);
		this_cpu_inc(st->stats->cnt[I40E_ESPINUDP_STAT_LOCAL]);
		return false;
	}
	if (unlikely(skb_queue_len(&bl->q) >= espinudp_max_backlog())) {
		spin_unlock(&bl->q.lock);
		this_cpu_inc(st->stats->cnt[I40E_ESPINUDP_STAT_BACKLOG_DROP]);
		dev_core_stats_rx_dropped_inc(skb->dev);
		kfree_skb_reason(skb, SKB_DROP_REASON_CPU_BACKLOG);
		return true;
	}

	/* Busy polling and SO_INCOMING_NAPI_ID keep naming the device queue */
	skb_mark_napi_id(skb, napi);
	/* The receive time is now, not when the target gets to it (RPS) */
	if (static_branch_unlikely(&netstamp_needed_key) && !skb->tstamp &&
	    espinudp_tstamp_prequeue())
		__net_timestamp(skb);

	__skb_queue_tail(&bl->q, skb);
	tail = ++bl->tail;
	if (!bl->kicked) {
		bl->kicked = true;
		kick = true;
	}
	spin_unlock(&bl->q.lock);
	WRITE_ONCE(*ent, (u64)(cpu + 1) << 48 | (u64)tag << 32 | tail);

	if (kick) {
		p = this_cpu_ptr(espinudp_pending);
		__set_bit(cpu, p->cpus);
		p->n++;
	}
	this_cpu_inc(st->stats->cnt[local ? I40E_ESPINUDP_STAT_LOCAL :
				    I40E_ESPINUDP_STAT_STEERED]);
	return true;
}

static const u8 espinudp_class_stat[ESPINUDP_CLASS_MAX] = {
	[ESPINUDP_CLASS_FRAGMENT]	= I40E_ESPINUDP_STAT_FRAGMENT,
	[ESPINUDP_CLASS_KEEPALIVE]	= I40E_ESPINUDP_STAT_KEEPALIVE,
	[ESPINUDP_CLASS_IKE]		= I40E_ESPINUDP_STAT_IKE,
	[ESPINUDP_CLASS_UDP]		= I40E_ESPINUDP_STAT_UDP,
	[ESPINUDP_CLASS_ESP]		= I40E_ESPINUDP_STAT_ESP,
};

static bool espinudp_rx(struct i40e_espinudp_dev *edev,
			struct napi_struct *napi, struct sk_buff *skb)
{
	const struct espinudp_cfg *cfg;
	struct espinudp_state *st;
	struct espinudp_flow flow;
	u8 copy[ESPINUDP_HDR_COPY];
	u32 len, need, hash, q;
	u64 *ent;
	int cpu;

	st = rcu_dereference_bh(edev->priv);
	if (unlikely(!st))
		return false;
	cfg = rcu_dereference_bh(espinudp_cfg);

	/*
	 * skb->data is at the network header (eth_type_trans() ran), the VLAN
	 * tag is in hwaccel or inline (the core walks it).  The core reads
	 * only the linear part; when a header lies past it (legacy-rx, jumbo
	 * multi-buffer frames) the first bytes are copied, never pulled:
	 * pskb_may_pull() may allocate.  Headers longer than the copy are
	 * counted as malformed.
	 */
	len = skb_headlen(skb);
	need = espinudp_classify_l3_partial(skb->data, len, skb->len,
					    skb->protocol, &cfg->ports, &flow);
	if (unlikely(need)) {
		const u8 *nh;

		len = min_t(u32, skb->len, sizeof(copy));
		nh = need <= len ? skb_header_pointer(skb, 0, len, copy) : NULL;
		if (!nh || espinudp_classify_l3_partial(nh, len, skb->len,
							skb->protocol,
							&cfg->ports, &flow))
			goto malformed;
	}

	switch (flow.cls) {
	case ESPINUDP_CLASS_OTHER:
		return false;
	case ESPINUDP_CLASS_MALFORMED:
		goto malformed;
	case ESPINUDP_CLASS_FRAGMENT:
		hash = espinudp_flow_hash(&st->tables->tbl, &flow);
		skb_set_hash(skb, hash, PKT_HASH_TYPE_L3);
		break;
	default:
		hash = espinudp_flow_hash(&st->tables->tbl, &flow);
		skb_set_hash(skb, hash, PKT_HASH_TYPE_L4);
		break;
	}
	this_cpu_inc(st->stats->cnt[I40E_ESPINUDP_STAT_HASHED]);
	this_cpu_inc(st->stats->cnt[espinudp_class_stat[flow.cls]]);

	if (!cfg->steer)
		return false;

	q = espinudp_queue(st->lut, st->lut_size, hash);
	cpu = q < st->num_queues ? st->queue_cpu[q] : -1;
	if (cpu < 0 || !cpu_active(cpu) || READ_ONCE(espinudp_draining))
		cpu = smp_processor_id();
	ent = &st->flows[ESPINUDP_FLOW_IDX(hash)];
	cpu = espinudp_flow_cpu(ent, ESPINUDP_FLOW_TAG(hash), cpu);
	return espinudp_enqueue(st, napi, skb, cpu, ent,
				ESPINUDP_FLOW_TAG(hash));

malformed:
	this_cpu_inc(st->stats->cnt[I40E_ESPINUDP_STAT_MALFORMED]);
	return false;
}

/* End of the i40e poll: at most one IPI per marked CPU */
static void espinudp_flush(void)
{
	struct espinudp_pending *p = this_cpu_ptr(espinudp_pending);
	unsigned int cpu;

	if (likely(!p->n))
		return;
	p->n = 0;

	for_each_set_bit(cpu, p->cpus, nr_cpu_ids) {
		struct espinudp_backlog *bl = per_cpu_ptr(espinudp_backlog,
							  cpu);

		__clear_bit(cpu, p->cpus);
		/* In flight: its napi_schedule() comes after our frames */
		if (test_and_set_bit(0, &bl->ipi))
			continue;
		/* Offline: espinudp_cpu_dead() hands the queue over */
		if (smp_call_function_single_async(cpu, &bl->csd))
			clear_bit(0, &bl->ipi);
	}
}

/* ---- per-device state (process context) ----------------------------- */

/* The tables of @rss's key: @old's when the key did not change */
static struct espinudp_tables *
espinudp_tables_get(struct net_device *dev,
		    const struct i40e_espinudp_rss *rss,
		    struct espinudp_tables *old)
{
	struct espinudp_tables *t;

	if (old && old->key_len == rss->key_len &&
	    !memcmp(old->key, rss->key, rss->key_len))
		return old;

	t = kvmalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	if (espinudp_toeplitz_init(&t->tbl, rss->key, rss->key_len)) {
		netdev_warn(dev, "espinudp: RSS key of %u bytes not supported\n",
			    rss->key_len);
		kvfree(t);
		return ERR_PTR(-EINVAL);
	}
	t->key_len = rss->key_len;
	memcpy(t->key, rss->key, rss->key_len);
	return t;
}

static struct espinudp_state *
espinudp_state_build(struct i40e_espinudp_dev *edev,
		     const struct i40e_espinudp_rss *rss,
		     const struct espinudp_state *old)
{
	struct net_device *dev = edev->netdev;
	struct espinudp_state *st;
	unsigned int i;
	int err;

	if (!rss->lut_size || rss->lut_size > I40E_ESPINUDP_LUT_MAX ||
	    !is_power_of_2(rss->lut_size) ||
	    rss->num_queues > I40E_ESPINUDP_MAX_QUEUES ||
	    rss->key_len > I40E_ESPINUDP_KEY_LEN) {
		netdev_warn(dev, "espinudp: bad RSS state (LUT %u, queues %u, key %u)\n",
			    rss->lut_size, rss->num_queues, rss->key_len);
		return ERR_PTR(-EINVAL);
	}

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return ERR_PTR(-ENOMEM);

	if (old) {
		st->stats = old->stats;
		st->flows = old->flows;
	} else {
		err = -ENOMEM;
		st->stats = alloc_percpu(struct espinudp_stats);
		if (!st->stats)
			goto err_free_st;
		st->flows = kvcalloc(1 << ESPINUDP_FLOW_BITS,
				     sizeof(*st->flows), GFP_KERNEL);
		if (!st->flows)
			goto err_free_stats;
	}

	st->tables = espinudp_tables_get(dev, rss, old ? old->tables : NULL);
	if (IS_ERR(st->tables)) {
		err = PTR_ERR(st->tables);
		goto err_free_flows;
	}

	st->lut_size = rss->lut_size;
	st->num_queues = rss->num_queues;
	memcpy(st->lut, rss->lut, rss->lut_size);
	for (i = 0; i < rss->num_queues; i++) {
		int cpu = rss->queue_cpu[i];

		st->queue_cpu[i] = cpu >= 0 && cpu < nr_cpu_ids ? cpu : -1;
	}
	return st;

err_free_flows:
	if (!old)
		kvfree(st->flows);
err_free_stats:
	if (!old)
		free_percpu(st->stats);
err_free_st:
	kfree(st);
	return ERR_PTR(err);
}

static int espinudp_attach(struct i40e_espinudp_dev *edev,
			   const struct i40e_espinudp_rss *rss)
{
	struct espinudp_state *st, *old;

	mutex_lock(&espinudp_dev_lock);
	old = rcu_dereference_protected(edev->priv,
					lockdep_is_held(&espinudp_dev_lock));
	st = espinudp_state_build(edev, rss, old);
	if (IS_ERR(st)) {
		mutex_unlock(&espinudp_dev_lock);
		return PTR_ERR(st);
	}
	rcu_assign_pointer(edev->priv, st);
	mutex_unlock(&espinudp_dev_lock);

	if (old) {
		/* NAPI may still use the old tables until a grace period */
		if (old->tables != st->tables)
			kvfree_rcu(old->tables, rcu);
		kfree_rcu(old, rcu);
	}
	return 0;
}

static void espinudp_update(struct i40e_espinudp_dev *edev,
			    const struct i40e_espinudp_rss *rss)
{
	int err = espinudp_attach(edev, rss);

	/* A device keeps its previous tables: still consistent per SA */
	if (err)
		netdev_warn(edev->netdev, "espinudp: RSS update not applied: %d\n",
			    err);
}

static void espinudp_detach(struct i40e_espinudp_dev *edev)
{
	struct espinudp_state *st;

	mutex_lock(&espinudp_dev_lock);
	st = rcu_dereference_protected(edev->priv,
				       lockdep_is_held(&espinudp_dev_lock));
	RCU_INIT_POINTER(edev->priv, NULL);
	mutex_unlock(&espinudp_dev_lock);
	if (!st)
		return;

	/* No @rx of this device runs any more, so none of its frames ... */
	synchronize_net();
	/* ... is added behind this: hand over what is still queued */
	espinudp_backlog_flush_dev(edev->netdev);
	/*
	 * Polls that took frames of the device before have delivered them:
	 * a backlog poll keeps nothing in GRO once it returns.
	 */
	synchronize_net();

	kvfree(st->tables);
	kvfree(st->flows);
	free_percpu(st->stats);
	kfree(st);
}

static void espinudp_get_stats(struct i40e_espinudp_dev *edev, u64 *stats)
{
	const struct espinudp_state *st;
	unsigned int i;
	int cpu;

	/* The hook core zeroed @stats: add to it */
	rcu_read_lock();
	st = rcu_dereference(edev->priv);
	if (st) {
		for_each_possible_cpu(cpu) {
			const struct espinudp_stats *s;

			s = per_cpu_ptr(st->stats, cpu);
			for (i = 0; i < I40E_ESPINUDP_STAT_NUM; i++)
				stats[i] += READ_ONCE(s->cnt[i]);
		}
	}
	rcu_read_unlock();
}

static const struct i40e_espinudp_ops espinudp_ops = {
	.owner		= THIS_MODULE,
	.attach		= espinudp_attach,
	.update		= espinudp_update,
	.detach		= espinudp_detach,
	.rx		= espinudp_rx,
	.flush		= espinudp_flush,
	.get_stats	= espinudp_get_stats,
};

/* ---- module init / exit --------------------------------------------- */

static int espinudp_backlog_init(void)
{
	int cpu;

	espinudp_dummy = espinudp_dummy_alloc();
	if (!espinudp_dummy)
		return -ENOMEM;

	espinudp_backlog = alloc_percpu(struct espinudp_backlog);
	if (!espinudp_backlog)
		goto err_free_dummy;

	espinudp_pending = __alloc_percpu(sizeof(struct espinudp_pending) +
					  BITS_TO_LONGS(nr_cpu_ids) *
					  sizeof(unsigned long),
					  __alignof__(struct espinudp_pending));
	if (!espinudp_pending)
		goto err_free_backlog;

	for_each_possible_cpu(cpu) {
		struct espinudp_backlog *bl = per_cpu_ptr(espinudp_backlog,
							  cpu);

		skb_queue_head_init(&bl->q);
		INIT_CSD(&bl->csd, espinudp_ipi, bl);
		netif_napi_add(espinudp_dummy, &bl->napi, espinudp_poll);
		napi_enable(&bl->napi);
	}
	return 0;

err_free_backlog:
	free_percpu(espinudp_backlog);
err_free_dummy:
	espinudp_dummy_free(espinudp_dummy);
	return -ENOMEM;
}

/* After unregister: nothing queues or kicks any more */
static void espinudp_backlog_exit(void)
{
	unsigned int delivered = 0, dropped = 0;
	struct sk_buff_head list;
	int cpu;

	/* IPIs sent by the last polls: wait until each handler started ... */
	for_each_possible_cpu(cpu) {
		struct espinudp_backlog *bl = per_cpu_ptr(espinudp_backlog,
							  cpu);

		while (test_bit(0, &bl->ipi))
			usleep_range(20, 100);
	}
	/* ... and returned: they run with interrupts disabled */
	synchronize_rcu();

	__skb_queue_head_init(&list);
	for_each_possible_cpu(cpu) {
		struct espinudp_backlog *bl = per_cpu_ptr(espinudp_backlog,
							  cpu);

		napi_disable(&bl->napi);
		spin_lock_bh(&bl->q.lock);
		skb_queue_splice_tail_init(&bl->q, &list);
		spin_unlock_bh(&bl->q.lock);
	}
	espinudp_deliver_list(&list, &delivered, &dropped);
	if (delivered || dropped)
		pr_warn("unload: %u backlogged frames handed over, %u dropped\n",
			delivered, dropped);

	for_each_possible_cpu(cpu)
		__netif_napi_del(&per_cpu_ptr(espinudp_backlog, cpu)->napi);
	synchronize_net();

	free_percpu(espinudp_pending);
	free_percpu(espinudp_backlog);
	espinudp_dummy_free(espinudp_dummy);
}

static int __init espinudp_init(void)
{
	int err;

	err = espinudp_backlog_init();
	if (err)
		return err;

	err = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					"net/i40e_espinudp:dead", NULL,
					espinudp_cpu_dead);
	if (err < 0)
		goto err_backlog;
	espinudp_cpuhp = err;

	err = i40e_espinudp_register(&espinudp_ops);
	if (err) {
		pr_err("cannot register with i40e: %d\n", err);
		goto err_cpuhp;
	}

	err = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN,
					"net/i40e_espinudp:online",
					espinudp_cpu_online, NULL);
	if (err < 0)
		goto err_unregister;
	espinudp_cpuhp_online = err;

	pr_info("version %s loaded\n", ESPINUDP_VERSION);
	return 0;

err_unregister:
	i40e_espinudp_unregister(&espinudp_ops);
	synchronize_net();
err_cpuhp:
	cpuhp_remove_state_nocalls(espinudp_cpuhp);
	/* queued by espinudp_cpu_dead(); must not run after us */
	cancel_work_sync(&espinudp_resync_work);
err_backlog:
	espinudp_backlog_exit();
	return err;
}

/* Every backlog empty and delivered */
static bool espinudp_backlogs_idle(void)
{
	int cpu;

	for_each_online_cpu(cpu) {
		struct espinudp_backlog *bl = per_cpu_ptr(espinudp_backlog,
							  cpu);

		if ((u32)atomic_read(&bl->head) != READ_ONCE(bl->tail))
			return false;
	}
	return true;
}

static void __exit espinudp_exit(void)
{
	unsigned long until = jiffies + HZ / 2;
	struct espinudp_cfg *cfg;

	cpuhp_remove_state_nocalls(espinudp_cpuhp_online);

	/*
	 * Once the hook is off, i40e delivers every frame on the CPU of its
	 * queue at once, ahead of the frames of its SA still queued on
	 * other CPUs.  Steer first to the current CPU only: a flow with
	 * frames queued elsewhere stays there until they are delivered (the
	 * flow table), then turns local.  Bounded: under a flood the rest
	 * is handed over below, as before.
	 */
	WRITE_ONCE(espinudp_draining, true);
	while (!espinudp_backlogs_idle() && time_before(jiffies, until))
		usleep_range(500, 1000);

	/* Detaches every device: their backlogged frames are handed over */
	i40e_espinudp_unregister(&espinudp_ops);
	/* No poll still runs our @rx or @flush */
	synchronize_net();

	cpuhp_remove_state_nocalls(espinudp_cpuhp);
	/* queued by the hotplug callbacks: a no-op now, but not after us */
	cancel_work_sync(&espinudp_resync_work);
	espinudp_backlog_exit();

	/*
	 * The parameter files outlive this function: freeze them, and free
	 * the last configuration only once no writer can replace it.
	 */
	mutex_lock(&espinudp_cfg_lock);
	espinudp_cfg_dead = true;
	cfg = rcu_dereference_protected(espinudp_cfg,
					lockdep_is_held(&espinudp_cfg_lock));
	rcu_assign_pointer(espinudp_cfg, &espinudp_cfg_default);
	mutex_unlock(&espinudp_cfg_lock);
	/* A reader of the files may still hold @cfg */
	if (cfg != &espinudp_cfg_default)
		kfree_rcu(cfg, rcu);
}

module_init(espinudp_init);
module_exit(espinudp_exit);

MODULE_DESCRIPTION("Intel(R) X722 software RSS hash and steering for ESP-in-UDP (NAT-T)");
MODULE_AUTHOR("i40e-espinudp authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(ESPINUDP_VERSION);
MODULE_SOFTDEP("pre: i40e");
