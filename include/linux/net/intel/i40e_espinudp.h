/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright(c) 2026 i40e-espinudp authors */

/*
 * RX hook between an Intel Ethernet 700 series driver (i40e) and a module
 * that hashes and steers frames the device left unhashed (NAT-T ESP on
 * X722).  The driver owns one struct i40e_espinudp_dev per netdev; a
 * single module registers struct i40e_espinudp_ops.
 *
 * This file is the ABI shared by the patched driver and the module; the
 * copy in the kernel tree and the one in the module's include/ directory
 * must stay identical.
 *
 * Locking: a mutex inside the hook core serialises registration and the
 * device list.  i40e_espinudp_register() takes RTNL and then that mutex, so
 * it must not be called with RTNL held; the other process-context entry
 * points may be called with or without RTNL (RTNL, if held, nests outside
 * the mutex).  The ops callbacks run under the mutex and must not call back
 * into this API.
 */

#ifndef _LINUX_NET_INTEL_I40E_ESPINUDP_H
#define _LINUX_NET_INTEL_I40E_ESPINUDP_H

#include <linux/jump_label.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>

#define I40E_ESPINUDP_ABI_VERSION	2
#define I40E_ESPINUDP_KEY_LEN		52
#define I40E_ESPINUDP_LUT_MAX		512
#define I40E_ESPINUDP_MAX_QUEUES	256

/* Counters shown by ethtool -S; the driver owns the strings */
enum i40e_espinudp_stat {
	I40E_ESPINUDP_STAT_HASHED,	/* frames given a software hash */
	I40E_ESPINUDP_STAT_STEERED,	/* handed to another CPU */
	I40E_ESPINUDP_STAT_LOCAL,	/* target was this CPU */
	I40E_ESPINUDP_STAT_BACKLOG_DROP,	/* target backlog full */
	I40E_ESPINUDP_STAT_MALFORMED,	/* skipped, bad headers */
	I40E_ESPINUDP_STAT_ESP,
	I40E_ESPINUDP_STAT_IKE,
	I40E_ESPINUDP_STAT_KEEPALIVE,
	I40E_ESPINUDP_STAT_FRAGMENT,
	I40E_ESPINUDP_STAT_UDP,
	I40E_ESPINUDP_STAT_NUM,
};

/**
 * struct i40e_espinudp_rss - RSS state of a device, filled by the driver
 * @key: hash key; a 40 byte key is zero-extended
 * @lut: indirection table, @lut_size entries (a power of two)
 * @queue_cpu: CPU servicing each RX queue: the effective affinity of its
 *	vector's IRQ, where the kernel delivers it; -1 when unknown
 * @key_len: valid bytes of @key (40 or 52)
 * @lut_size: valid entries of @lut
 * @num_queues: valid entries of @queue_cpu
 */
struct i40e_espinudp_rss {
	u8 key[I40E_ESPINUDP_KEY_LEN];
	u8 lut[I40E_ESPINUDP_LUT_MAX];
	s16 queue_cpu[I40E_ESPINUDP_MAX_QUEUES];
	u16 key_len;
	u16 lut_size;
	u16 num_queues;
};

/**
 * struct i40e_espinudp_dev - a netdev offering the hook, owned by the driver
 * @netdev: the device
 * @get_rss: driver callback, process context, may sleep; fills @rss.  Called
 *	under the hook mutex, with RTNL held when called from
 *	i40e_espinudp_register() and otherwise in the context of the
 *	driver's i40e_espinudp_dev_add()/i40e_espinudp_dev_changed() call.
 *	A non-zero return leaves the device unattached until the next
 *	i40e_espinudp_dev_changed().
 * @priv: module state, published by the module with RCU, read in NAPI
 * @node: registry list, private to the hook core
 * @attached: @attach succeeded and @detach is pending; private to the core
 */
struct i40e_espinudp_dev {
	struct net_device *netdev;
	int (*get_rss)(struct i40e_espinudp_dev *edev,
		       struct i40e_espinudp_rss *rss);
	void __rcu *priv;
	struct list_head node;
	bool attached;
};

/**
 * struct i40e_espinudp_ops - the module side
 * @owner: THIS_MODULE
 * @attach: a device appeared, or the module registered; process context
 * @update: key, LUT, queue count, reset or IRQ affinity changed; process
 *	context.  The module rebuilds and RCU-publishes its state.
 * @detach: the device goes away or the module unregisters; process
 *	context.  The module clears @priv and waits for readers.
 * @rx: NAPI context; the frame carries no valid hash.  Returns true when
 *	the skb was consumed (steered to another CPU or dropped and counted).
 *	May be called for a device whose @attach failed or has not happened
 *	yet (@priv NULL): return false then.
 * @flush: NAPI context, end of a poll that called @rx: send batched IPIs
 * @get_stats: add the device's counters into I40E_ESPINUDP_STAT_NUM u64s
 *	(zeroed by the core); process context; optional
 *
 * All callbacks but @get_stats are mandatory.  No callback runs after
 * i40e_espinudp_unregister() returns, so the module needs no reference
 * on itself as long as it unregisters in its exit function.
 */
struct i40e_espinudp_ops {
	struct module *owner;
	int (*attach)(struct i40e_espinudp_dev *edev,
		      const struct i40e_espinudp_rss *rss);
	void (*update)(struct i40e_espinudp_dev *edev,
		       const struct i40e_espinudp_rss *rss);
	void (*detach)(struct i40e_espinudp_dev *edev);
	bool (*rx)(struct i40e_espinudp_dev *edev, struct napi_struct *napi,
		   struct sk_buff *skb);
	void (*flush)(void);
	void (*get_stats)(struct i40e_espinudp_dev *edev, u64 *stats);
};

DECLARE_STATIC_KEY_FALSE(i40e_espinudp_active);

/* Module side; register takes RTNL, returns -EBUSY if a module is loaded */
int i40e_espinudp_register(const struct i40e_espinudp_ops *ops);
void i40e_espinudp_unregister(const struct i40e_espinudp_ops *ops);
/* Module side, process context, takes RTNL: get_rss() of every device */
void i40e_espinudp_resync(void);

/*
 * Driver side, process context.  @edev->netdev and @edev->get_rss must be
 * set before i40e_espinudp_dev_add(); the core initialises the rest.  After
 * i40e_espinudp_dev_del() returns, the module holds no reference to @edev,
 * but the driver must stop passing it to __i40e_espinudp_rx() and wait for
 * NAPI (synchronize_net()) before freeing it.  get_stats zero-fills
 * @stats when no module is registered or @edev is not attached.
 */
void i40e_espinudp_dev_add(struct i40e_espinudp_dev *edev);
void i40e_espinudp_dev_changed(struct i40e_espinudp_dev *edev);
void i40e_espinudp_dev_del(struct i40e_espinudp_dev *edev);
void i40e_espinudp_get_stats(struct i40e_espinudp_dev *edev, u64 *stats);

/* Driver side, NAPI context; call only when i40e_espinudp_on() */
bool __i40e_espinudp_rx(struct i40e_espinudp_dev *edev,
			struct napi_struct *napi, struct sk_buff *skb);
void __i40e_espinudp_flush(void);

/* A patched NOP until a module registers */
static __always_inline bool i40e_espinudp_on(void)
{
	return static_branch_unlikely(&i40e_espinudp_active);
}

#endif /* _LINUX_NET_INTEL_I40E_ESPINUDP_H */
