// SPDX-License-Identifier: GPL-2.0
/* Copyright(c) 2026 i40e-espinudp authors */

/*
 * x722sim: a pair of multi-queue Ethernet devices that behave, as far as
 * receive-side scaling goes, like an Intel X722 port: TCP, plain UDP, plain
 * ESP and other IP traffic get a Toeplitz hash over the device's 52-byte
 * key and land on the RX queue its 512-entry LUT names, while any UDP frame
 * to port 4500 (NAT-T) gets no hash and lands on queue 0.  RX queue q is
 * polled by a NAPI instance on CPU q (modulo the online CPUs), kicked by an
 * IPI as an MSI-X vector with that affinity would be.
 *
 * The RX poll performs the patched i40e_clean_rx_irq() sequence around the
 * i40e-espinudp hook, so the module under test sees the same calls it sees
 * on real hardware.  The simulated NIC is test scaffolding: only its RSS
 * decision is modelled, with a plain bit-serial Toeplitz.
 *
 * Devices: module parameter pairs= creates x722a<N> <-> x722b<N>.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/smp.h>
#include <linux/u64_stats_sync.h>
#include <linux/net/intel/i40e_espinudp.h>
#include <net/ip.h>

#define X722SIM_MAX_QUEUES	16
#define X722SIM_MAX_PAIRS	4
#define X722SIM_KEY_LEN		I40E_ESPINUDP_KEY_LEN	/* 52 */
#define X722SIM_LUT_SIZE	I40E_ESPINUDP_LUT_MAX	/* 512 */
#define X722SIM_RING_SIZE	1024
#define X722SIM_NATT_PORT	4500
#define X722SIM_PFLAG_ESPUDP	BIT(0)

static unsigned int queues = 4;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "Initial combined channel count, 1..16 (default 4)");

static unsigned int pairs = 1;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs, "Device pairs x722aN <-> x722bN to create, 1..4 (default 1)");

/* RSS state of the receiving device, read by the peer's TX path */
struct x722sim_rss {
	struct rcu_head rcu;
	u8 key[X722SIM_KEY_LEN];
	u8 lut[X722SIM_LUT_SIZE];
	u32 num_queues;
};

/* What the "descriptor" tells the RX path, kept in skb->cb until then */
struct x722sim_desc {
	u32 hash;
	u8 rss_valid;
	u8 l4;
};

struct x722sim_priv;

struct x722sim_queue {
	struct napi_struct napi;
	struct sk_buff_head ring;
	call_single_data_t csd;
	atomic_t ipi_pending;
	struct x722sim_priv *priv;
	unsigned int index;
	int cpu;
	/* written by this queue's NAPI only */
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	/* written by any transmitting CPU, under ring.lock */
	u64 drops;
	/* TX side, serialized by the netdev_queue lock */
	struct u64_stats_sync tx_syncp;
	u64 tx_packets;
	u64 tx_bytes;
} ____cacheline_aligned_in_smp;

struct x722sim_priv {
	struct net_device *dev;
	struct net_device __rcu *peer;
	struct x722sim_rss __rcu *rss;
	struct i40e_espinudp_dev edev;
	u32 pflags;
	struct x722sim_queue q[X722SIM_MAX_QUEUES];
};

static const char x722sim_pflag_names[][ETH_GSTRING_LEN] = {
	"esp-udp-rss",
};

static const char x722sim_espinudp_stat_names[][ETH_GSTRING_LEN] = {
	"espinudp_hashed",
	"espinudp_steered",
	"espinudp_local",
	"espinudp_backlog_drop",
	"espinudp_malformed",
	"espinudp_esp",
	"espinudp_ike",
	"espinudp_keepalive",
	"espinudp_fragment",
	"espinudp_udp",
};

static_assert(ARRAY_SIZE(x722sim_espinudp_stat_names) ==
	      I40E_ESPINUDP_STAT_NUM);
static_assert(sizeof(struct x722sim_desc) <=
	      sizeof_field(struct sk_buff, cb));

#define X722SIM_QSTATS		3	/* packets, bytes, drops */
#define X722SIM_NUM_STATS	(X722SIM_MAX_QUEUES * X722SIM_QSTATS + \
				 I40E_ESPINUDP_STAT_NUM)

static struct net_device *x722sim_devs[X722SIM_MAX_PAIRS * 2];
static bool x722sim_edevs_added;

static struct x722sim_desc *x722sim_desc(struct sk_buff *skb)
{
	return (struct x722sim_desc *)skb->cb;
}

/* ---- kernel API differences: probed by Kbuild in the headers ----
 *
 * X722SIM_HAVE_RXFH_PARAM: get/set_rxfh take struct ethtool_rxfh_param (6.8)
 * X722SIM_HAVE_GET_RX_RING_COUNT: ethtool asks .get_rx_ring_count, no longer
 *	.get_rxnfc(ETHTOOL_GRXRINGS), for the RX ring count (7.x)
 */

/* ---- the simulated hardware: RSS of the frames the X722 hashes ---- */

/* Bit-serial Toeplitz, input and key read MSB first (the NIC's own) */
static u32 x722sim_toeplitz(const u8 *key, const u8 *in, unsigned int len)
{
	u32 v = get_unaligned_be32(key);
	unsigned int i, b;
	u32 hash = 0;

	for (i = 0; i < len; i++) {
		for (b = 0; b < 8; b++) {
			if (in[i] & (0x80 >> b))
				hash ^= v;
			v <<= 1;
			if (key[i + 4] & (0x80 >> b))
				v |= 1;
		}
	}
	return hash;
}

/*
 * Parse from the network header (skb->data after eth_type_trans) the way
 * the X722 parser classifies for RSS.  Returns the tuple length to hash,
 * 0 for "no hash" (queue 0): non-IP, and every UDP frame to port 4500.
 */
static unsigned int x722sim_rss_tuple(const struct sk_buff *skb, u8 *tuple,
				      bool *l4)
{
	unsigned int off = 0, alen;
	__be16 proto = skb->protocol;
	__be16 ports_buf[2];
	const __be16 *ports;
	u8 nexthdr;

	*l4 = false;
	if (proto == htons(ETH_P_8021Q) || proto == htons(ETH_P_8021AD)) {
		struct vlan_hdr vbuf;
		const struct vlan_hdr *vh;

		vh = skb_header_pointer(skb, 0, sizeof(vbuf), &vbuf);
		if (!vh)
			return 0;
		proto = vh->h_vlan_encapsulated_proto;
		off = VLAN_HLEN;
	}

	if (proto == htons(ETH_P_IP)) {
		const struct iphdr *iph;
		struct iphdr ibuf;

		iph = skb_header_pointer(skb, off, sizeof(ibuf), &ibuf);
		if (!iph || iph->ihl < 5)
			return 0;
		memcpy(tuple, &iph->addrs, 8);
		alen = 8;
		if (ip_is_fragment(iph))
			return alen;
		nexthdr = iph->protocol;
		off += iph->ihl * 4;
	} else if (proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6;
		struct ipv6hdr i6buf;

		ip6 = skb_header_pointer(skb, off, sizeof(i6buf), &i6buf);
		if (!ip6)
			return 0;
		memcpy(tuple, &ip6->addrs, 32);
		alen = 32;
		nexthdr = ip6->nexthdr;
		off += sizeof(*ip6);
	} else {
		return 0;
	}

	if (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_UDP)
		return alen;	/* plain ESP, ICMP, ...: 2-tuple */

	ports = skb_header_pointer(skb, off, sizeof(ports_buf), ports_buf);
	if (!ports)
		return alen;
	/* The X722 erratum: NAT-T gets no hash at all */
	if (nexthdr == IPPROTO_UDP && ports[1] == htons(X722SIM_NATT_PORT))
		return 0;
	memcpy(tuple + alen, ports, 4);
	*l4 = true;
	return alen + 4;
}

/*
 * The simulated hardware checks itself at load against the Microsoft RSS
 * verification vector (40-byte key, zero-extended): 66.9.149.187:2794 ->
 * 161.142.100.80:1766 hashes to 0x51ccc178, without ports to 0x323e8fc2.
 */
static int x722sim_toeplitz_selftest(void)
{
	static const u8 key[X722SIM_KEY_LEN] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
		0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
		0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
		0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
		0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
	};
	static const u8 in[12] = {
		66, 9, 149, 187, 161, 142, 100, 80, 0x0a, 0xea, 0x06, 0xe6,
	};

	if (x722sim_toeplitz(key, in, 12) != 0x51ccc178 ||
	    x722sim_toeplitz(key, in, 8) != 0x323e8fc2)
		return -EINVAL;
	return 0;
}

static void x722sim_ipi(void *info)
{
	struct x722sim_queue *q = info;

	napi_schedule(&q->napi);
	/* last access to @q: teardown waits for this */
	atomic_set_release(&q->ipi_pending, 0);
}

/* Raise "the MSI-X interrupt" of @q on its CPU */
static void x722sim_kick(struct x722sim_queue *q)
{
	if (atomic_xchg(&q->ipi_pending, 1))
		return;	/* the pending IPI schedules NAPI after our enqueue */
	if (smp_call_function_single_async(q->cpu, &q->csd)) {
		atomic_set(&q->ipi_pending, 0);
		napi_schedule(&q->napi);	/* CPU went away: poll here */
	}
}

static netdev_tx_t x722sim_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct x722sim_priv *priv = netdev_priv(dev);
	struct x722sim_desc desc = {};
	u8 tuple[36] __aligned(4);
	struct x722sim_priv *ppriv;
	const struct x722sim_rss *rss;
	struct x722sim_queue *txq, *q;
	struct net_device *peer;
	unsigned int len, tlen;
	bool l4;

	txq = &priv->q[skb_get_queue_mapping(skb)];
	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	if (unlikely(!peer || !netif_running(peer))) {
		dev_core_stats_tx_dropped_inc(dev);
		goto drop;
	}
	ppriv = netdev_priv(peer);

	len = skb->len;
	skb_tx_timestamp(skb);
	/* scrub, orphan and eth_type_trans() against the receiver */
	if (__dev_forward_skb(peer, skb) != NET_RX_SUCCESS) {
		dev_core_stats_tx_dropped_inc(dev);
		goto out;	/* freed */
	}

	/* a NIC's RX skb is fresh: no hash from the sender's TX path */
	skb_clear_hash(skb);
	rss = rcu_dereference(ppriv->rss);
	tlen = x722sim_rss_tuple(skb, tuple, &l4);
	q = &ppriv->q[0];
	if (tlen) {
		desc.hash = x722sim_toeplitz(rss->key, tuple, tlen);
		desc.rss_valid = 1;
		desc.l4 = l4;
		q = &ppriv->q[rss->lut[desc.hash & (X722SIM_LUT_SIZE - 1)] %
			      rss->num_queues];
	}
	*x722sim_desc(skb) = desc;

	spin_lock(&q->ring.lock);
	if (skb_queue_len(&q->ring) >= X722SIM_RING_SIZE) {
		q->drops++;
		spin_unlock(&q->ring.lock);
		kfree_skb(skb);
		goto out;
	}
	__skb_queue_tail(&q->ring, skb);
	spin_unlock(&q->ring.lock);
	x722sim_kick(q);

	u64_stats_update_begin(&txq->tx_syncp);
	txq->tx_packets++;
	txq->tx_bytes += len;
	u64_stats_update_end(&txq->tx_syncp);
out:
	rcu_read_unlock();
	return NETDEV_TX_OK;
drop:
	rcu_read_unlock();
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/* ---- RX: NAPI per queue, the i40e_clean_rx_irq() sequence ---- */

static bool x722sim_hook_wanted(const struct x722sim_priv *priv,
				const struct sk_buff *skb)
{
	/* The order of the patched i40e: no hash, rxhash on, flag on */
	return !skb->hash && (priv->dev->features & NETIF_F_RXHASH) &&
	       (READ_ONCE(priv->pflags) & X722SIM_PFLAG_ESPUDP);
}

static int x722sim_poll(struct napi_struct *napi, int budget)
{
	struct x722sim_queue *q = container_of(napi, struct x722sim_queue,
					       napi);
	struct x722sim_priv *priv = q->priv;
	struct net_device *dev = priv->dev;
	unsigned int packets = 0, bytes = 0;
	bool hooked = false;
	struct sk_buff *skb;

	while (packets < budget && (skb = skb_dequeue(&q->ring))) {
		struct x722sim_desc desc = *x722sim_desc(skb);

		/* i40e_process_skb_fields(): hash, queue (protocol: TX) */
		if (desc.rss_valid && (dev->features & NETIF_F_RXHASH))
			skb_set_hash(skb, desc.hash, desc.l4 ?
				     PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3);
		skb_record_rx_queue(skb, q->index);
		packets++;
		bytes += skb->len;

		if (i40e_espinudp_on() && x722sim_hook_wanted(priv, skb)) {
			hooked = true;
			if (__i40e_espinudp_rx(&priv->edev, napi, skb))
				continue;
		}
		napi_gro_receive(napi, skb);
	}
	if (hooked)
		__i40e_espinudp_flush();

	u64_stats_update_begin(&q->syncp);
	q->packets += packets;
	q->bytes += bytes;
	u64_stats_update_end(&q->syncp);

	if (packets < budget)
		napi_complete_done(napi, packets);
	return packets;
}

/* ---- configuration (all under RTNL) ---- */

static struct x722sim_rss *x722sim_rss_get(struct x722sim_priv *priv)
{
	return rtnl_dereference(priv->rss);
}

static void x722sim_rss_publish(struct x722sim_priv *priv,
				struct x722sim_rss *rss)
{
	struct x722sim_rss *old = rtnl_dereference(priv->rss);

	rcu_assign_pointer(priv->rss, rss);
	if (old)
		kfree_rcu(old, rcu);
}

static void x722sim_lut_default(struct x722sim_rss *rss)
{
	unsigned int i;

	for (i = 0; i < X722SIM_LUT_SIZE; i++)
		rss->lut[i] = i % rss->num_queues;
}

static int x722sim_get_rss(struct i40e_espinudp_dev *edev,
			   struct i40e_espinudp_rss *out)
{
	struct x722sim_priv *priv = container_of(edev, struct x722sim_priv,
						 edev);
	const struct x722sim_rss *rss;
	unsigned int i;

	rcu_read_lock();
	rss = rcu_dereference(priv->rss);
	memcpy(out->key, rss->key, X722SIM_KEY_LEN);
	memcpy(out->lut, rss->lut, X722SIM_LUT_SIZE);
	out->key_len = X722SIM_KEY_LEN;
	out->lut_size = X722SIM_LUT_SIZE;
	out->num_queues = rss->num_queues;
	rcu_read_unlock();
	for (i = 0; i < I40E_ESPINUDP_MAX_QUEUES; i++)
		out->queue_cpu[i] = i < X722SIM_MAX_QUEUES ?
				    priv->q[i].cpu : -1;
	return 0;
}

static void x722sim_get_drvinfo(struct net_device *dev,
				struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, "x722sim", sizeof(info->bus_info));
}

static void x722sim_get_channels(struct net_device *dev,
				 struct ethtool_channels *ch)
{
	struct x722sim_priv *priv = netdev_priv(dev);

	ch->max_combined = X722SIM_MAX_QUEUES;
	ch->combined_count = x722sim_rss_get(priv)->num_queues;
}

static int x722sim_set_channels(struct net_device *dev,
				struct ethtool_channels *ch)
{
	struct x722sim_priv *priv = netdev_priv(dev);
	unsigned int n = ch->combined_count;
	struct x722sim_rss *rss;
	int err;

	if (ch->rx_count || ch->tx_count || ch->other_count ||
	    !n || n > X722SIM_MAX_QUEUES)
		return -EINVAL;

	rss = kmemdup(x722sim_rss_get(priv), sizeof(*rss), GFP_KERNEL);
	if (!rss)
		return -ENOMEM;

	err = netif_set_real_num_tx_queues(dev, n);
	if (err)
		goto err_free;
	err = netif_set_real_num_rx_queues(dev, n);
	if (err)
		goto err_free;

	/*
	 * Like i40e, a channel change resets the LUT to the default spread.
	 * Frames already on a queue above @n drain: every NAPI stays enabled.
	 */
	rss->num_queues = n;
	x722sim_lut_default(rss);
	x722sim_rss_publish(priv, rss);
	i40e_espinudp_dev_changed(&priv->edev);
	return 0;

err_free:
	kfree(rss);
	return err;
}

#ifdef X722SIM_HAVE_GET_RX_RING_COUNT
static u32 x722sim_get_rx_ring_count(struct net_device *dev)
{
	struct x722sim_priv *priv = netdev_priv(dev);

	return x722sim_rss_get(priv)->num_queues;
}
#else
static int x722sim_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *cmd,
			     u32 *rule_locs)
{
	struct x722sim_priv *priv = netdev_priv(dev);

	if (cmd->cmd != ETHTOOL_GRXRINGS)
		return -EOPNOTSUPP;
	cmd->data = x722sim_rss_get(priv)->num_queues;
	return 0;
}
#endif

static u32 x722sim_get_rxfh_key_size(struct net_device *dev)
{
	return X722SIM_KEY_LEN;
}

static u32 x722sim_get_rxfh_indir_size(struct net_device *dev)
{
	return X722SIM_LUT_SIZE;
}

static void x722sim_rxfh_read(struct x722sim_priv *priv, u32 *indir, u8 *key)
{
	const struct x722sim_rss *rss = x722sim_rss_get(priv);
	unsigned int i;

	if (key)
		memcpy(key, rss->key, X722SIM_KEY_LEN);
	if (indir)
		for (i = 0; i < X722SIM_LUT_SIZE; i++)
			indir[i] = rss->lut[i];
}

static int x722sim_rxfh_write(struct x722sim_priv *priv, const u32 *indir,
			      const u8 *key, u8 hfunc)
{
	struct x722sim_rss *rss;
	unsigned int i;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP)
		return -EOPNOTSUPP;
	if (!indir && !key)
		return 0;

	rss = kmemdup(x722sim_rss_get(priv), sizeof(*rss), GFP_KERNEL);
	if (!rss)
		return -ENOMEM;
	if (key)
		memcpy(rss->key, key, X722SIM_KEY_LEN);
	if (indir) {
		for (i = 0; i < X722SIM_LUT_SIZE; i++) {
			if (indir[i] >= rss->num_queues) {
				kfree(rss);
				return -EINVAL;
			}
			rss->lut[i] = indir[i];
		}
	}
	x722sim_rss_publish(priv, rss);
	i40e_espinudp_dev_changed(&priv->edev);
	return 0;
}

#ifdef X722SIM_HAVE_RXFH_PARAM
static int x722sim_get_rxfh(struct net_device *dev,
			    struct ethtool_rxfh_param *rxfh)
{
	rxfh->hfunc = ETH_RSS_HASH_TOP;
	x722sim_rxfh_read(netdev_priv(dev), rxfh->indir, rxfh->key);
	return 0;
}

static int x722sim_set_rxfh(struct net_device *dev,
			    struct ethtool_rxfh_param *rxfh,
			    struct netlink_ext_ack *extack)
{
	if (rxfh->rss_context)
		return -EOPNOTSUPP;
	return x722sim_rxfh_write(netdev_priv(dev), rxfh->indir, rxfh->key,
				  rxfh->hfunc);
}
#else
static int x722sim_get_rxfh(struct net_device *dev, u32 *indir, u8 *key,
			    u8 *hfunc)
{
	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	x722sim_rxfh_read(netdev_priv(dev), indir, key);
	return 0;
}

static int x722sim_set_rxfh(struct net_device *dev, const u32 *indir,
			    const u8 *key, const u8 hfunc)
{
	return x722sim_rxfh_write(netdev_priv(dev), indir, key, hfunc);
}
#endif

static u32 x722sim_get_priv_flags(struct net_device *dev)
{
	struct x722sim_priv *priv = netdev_priv(dev);

	return READ_ONCE(priv->pflags);
}

static int x722sim_set_priv_flags(struct net_device *dev, u32 flags)
{
	struct x722sim_priv *priv = netdev_priv(dev);

	if (flags & ~X722SIM_PFLAG_ESPUDP)
		return -EINVAL;
	WRITE_ONCE(priv->pflags, flags);
	return 0;
}

static int x722sim_get_sset_count(struct net_device *dev, int sset)
{
	switch (sset) {
	case ETH_SS_STATS:
		return X722SIM_NUM_STATS;
	case ETH_SS_PRIV_FLAGS:
		return ARRAY_SIZE(x722sim_pflag_names);
	default:
		return -EOPNOTSUPP;
	}
}

static void x722sim_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i;

	switch (sset) {
	case ETH_SS_STATS:
		for (i = 0; i < X722SIM_MAX_QUEUES; i++) {
			ethtool_sprintf(&data, "rx_queue_%u_packets", i);
			ethtool_sprintf(&data, "rx_queue_%u_bytes", i);
			ethtool_sprintf(&data, "rx_queue_%u_drops", i);
		}
		for (i = 0; i < I40E_ESPINUDP_STAT_NUM; i++)
			ethtool_sprintf(&data, "%s",
					x722sim_espinudp_stat_names[i]);
		break;
	case ETH_SS_PRIV_FLAGS:
		for (i = 0; i < ARRAY_SIZE(x722sim_pflag_names); i++)
			ethtool_sprintf(&data, "%s", x722sim_pflag_names[i]);
		break;
	}
}

static void x722sim_get_ethtool_stats(struct net_device *dev,
				      struct ethtool_stats *stats, u64 *data)
{
	struct x722sim_priv *priv = netdev_priv(dev);
	unsigned int i, start;

	for (i = 0; i < X722SIM_MAX_QUEUES; i++) {
		struct x722sim_queue *q = &priv->q[i];

		do {
			start = u64_stats_fetch_begin(&q->syncp);
			data[0] = q->packets;
			data[1] = q->bytes;
		} while (u64_stats_fetch_retry(&q->syncp, start));
		data[2] = READ_ONCE(q->drops);
		data += X722SIM_QSTATS;
	}
	i40e_espinudp_get_stats(&priv->edev, data);
}

static const struct ethtool_ops x722sim_ethtool_ops = {
	.get_drvinfo		= x722sim_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_channels		= x722sim_get_channels,
	.set_channels		= x722sim_set_channels,
#ifdef X722SIM_HAVE_GET_RX_RING_COUNT
	.get_rx_ring_count	= x722sim_get_rx_ring_count,
#else
	.get_rxnfc		= x722sim_get_rxnfc,
#endif
	.get_rxfh_key_size	= x722sim_get_rxfh_key_size,
	.get_rxfh_indir_size	= x722sim_get_rxfh_indir_size,
	.get_rxfh		= x722sim_get_rxfh,
	.set_rxfh		= x722sim_set_rxfh,
	.get_priv_flags		= x722sim_get_priv_flags,
	.set_priv_flags		= x722sim_set_priv_flags,
	.get_sset_count		= x722sim_get_sset_count,
	.get_strings		= x722sim_get_strings,
	.get_ethtool_stats	= x722sim_get_ethtool_stats,
};

/* ---- netdev ---- */

static int x722sim_open(struct net_device *dev)
{
	struct x722sim_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);
	unsigned int i;

	for (i = 0; i < X722SIM_MAX_QUEUES; i++) {
		skb_queue_purge(&priv->q[i].ring);
		napi_enable(&priv->q[i].napi);
	}
	netif_tx_start_all_queues(dev);
	if (peer && netif_running(peer)) {
		netif_carrier_on(dev);
		netif_carrier_on(peer);
	}
	return 0;
}

static int x722sim_stop(struct net_device *dev)
{
	struct x722sim_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);
	unsigned int i;

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer);
	netif_tx_disable(dev);
	for (i = 0; i < X722SIM_MAX_QUEUES; i++) {
		napi_disable(&priv->q[i].napi);
		skb_queue_purge(&priv->q[i].ring);
	}
	return 0;
}

static void x722sim_get_stats64(struct net_device *dev,
				struct rtnl_link_stats64 *s)
{
	struct x722sim_priv *priv = netdev_priv(dev);
	unsigned int i, start;

	for (i = 0; i < X722SIM_MAX_QUEUES; i++) {
		struct x722sim_queue *q = &priv->q[i];
		u64 p, b;

		do {
			start = u64_stats_fetch_begin(&q->syncp);
			p = q->packets;
			b = q->bytes;
		} while (u64_stats_fetch_retry(&q->syncp, start));
		s->rx_packets += p;
		s->rx_bytes += b;
		s->rx_dropped += READ_ONCE(q->drops);
		do {
			start = u64_stats_fetch_begin(&q->tx_syncp);
			p = q->tx_packets;
			b = q->tx_bytes;
		} while (u64_stats_fetch_retry(&q->tx_syncp, start));
		s->tx_packets += p;
		s->tx_bytes += b;
	}
}

static const struct net_device_ops x722sim_netdev_ops = {
	.ndo_open		= x722sim_open,
	.ndo_stop		= x722sim_stop,
	.ndo_start_xmit		= x722sim_xmit,
	.ndo_get_stats64	= x722sim_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void x722sim_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &x722sim_netdev_ops;
	dev->ethtool_ops = &x722sim_ethtool_ops;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
			   NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE |
			   NETIF_F_RXHASH;
	dev->features = dev->hw_features | NETIF_F_HW_VLAN_CTAG_TX |
			NETIF_F_HW_VLAN_STAG_TX | NETIF_F_HW_VLAN_CTAG_RX |
			NETIF_F_HW_VLAN_STAG_RX;
	dev->vlan_features = dev->hw_features & ~NETIF_F_RXHASH;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_DATA_LEN * 6;
}

/* CPU of queue @i: the i-th online CPU, cyclically (the IRQ affinity) */
static int x722sim_queue_cpu(unsigned int i)
{
	unsigned int n = i % num_online_cpus();
	int cpu;

	for_each_online_cpu(cpu)
		if (!n--)
			return cpu;
	return cpumask_first(cpu_online_mask);
}

static struct net_device *x722sim_create(const char *name)
{
	struct x722sim_priv *priv;
	struct x722sim_rss *rss;
	struct net_device *dev;
	unsigned int i;

	dev = alloc_netdev_mqs(sizeof(*priv), name, NET_NAME_USER,
			       x722sim_setup, X722SIM_MAX_QUEUES,
			       X722SIM_MAX_QUEUES);
	if (!dev)
		return NULL;
	priv = netdev_priv(dev);
	priv->dev = dev;
	priv->pflags = X722SIM_PFLAG_ESPUDP;
	eth_hw_addr_random(dev);

	rss = kzalloc(sizeof(*rss), GFP_KERNEL);
	if (!rss) {
		free_netdev(dev);
		return NULL;
	}
	netdev_rss_key_fill(rss->key, sizeof(rss->key));
	rss->num_queues = queues;
	x722sim_lut_default(rss);
	RCU_INIT_POINTER(priv->rss, rss);

	for (i = 0; i < X722SIM_MAX_QUEUES; i++) {
		struct x722sim_queue *q = &priv->q[i];

		q->priv = priv;
		q->index = i;
		q->cpu = x722sim_queue_cpu(i);
		skb_queue_head_init(&q->ring);
		INIT_CSD(&q->csd, x722sim_ipi, q);
		u64_stats_init(&q->syncp);
		u64_stats_init(&q->tx_syncp);
		netif_napi_add(dev, &q->napi, x722sim_poll);
	}
	priv->edev.netdev = dev;
	priv->edev.get_rss = x722sim_get_rss;
	return dev;
}

static void x722sim_free(struct net_device *dev)
{
	struct x722sim_priv *priv = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < X722SIM_MAX_QUEUES; i++) {
		/* an IPI sent before the peer link was cut may be in flight */
		while (atomic_read_acquire(&priv->q[i].ipi_pending))
			cpu_relax();
		skb_queue_purge(&priv->q[i].ring);
	}
	kfree(rcu_dereference_protected(priv->rss, true));
	free_netdev(dev);
}

static void x722sim_destroy_all(void)
{
	unsigned int i;

	for (i = 0; x722sim_edevs_added && i < ARRAY_SIZE(x722sim_devs); i++) {
		struct x722sim_priv *priv;

		if (!x722sim_devs[i])
			continue;
		priv = netdev_priv(x722sim_devs[i]);
		i40e_espinudp_dev_del(&priv->edev);
	}
	x722sim_edevs_added = false;
	rtnl_lock();
	for (i = 0; i < ARRAY_SIZE(x722sim_devs); i++) {
		struct x722sim_priv *priv;

		if (!x722sim_devs[i])
			continue;
		priv = netdev_priv(x722sim_devs[i]);
		RCU_INIT_POINTER(priv->peer, NULL);
	}
	synchronize_net();
	for (i = 0; i < ARRAY_SIZE(x722sim_devs); i++) {
		struct net_device *dev = x722sim_devs[i];

		if (dev && dev->reg_state == NETREG_REGISTERED)
			unregister_netdevice(dev);
	}
	rtnl_unlock();
	/* unregistration, and NAPI, are complete after rtnl_unlock() */
	for (i = 0; i < ARRAY_SIZE(x722sim_devs); i++) {
		if (x722sim_devs[i])
			x722sim_free(x722sim_devs[i]);
		x722sim_devs[i] = NULL;
	}
}

static int __init x722sim_init(void)
{
	char name[IFNAMSIZ];
	unsigned int i;
	int err;

	if (!queues || queues > X722SIM_MAX_QUEUES || !pairs ||
	    pairs > X722SIM_MAX_PAIRS)
		return -EINVAL;
	if (x722sim_toeplitz_selftest()) {
		pr_err("Toeplitz self-test failed\n");
		return -EINVAL;
	}

	for (i = 0; i < pairs * 2; i++) {
		snprintf(name, sizeof(name), "x722%c%u", 'a' + (i & 1), i / 2);
		x722sim_devs[i] = x722sim_create(name);
		if (!x722sim_devs[i]) {
			err = -ENOMEM;
			goto err_destroy;
		}
	}

	rtnl_lock();
	for (i = 0; i < pairs * 2; i++) {
		struct net_device *dev = x722sim_devs[i];
		struct x722sim_priv *priv = netdev_priv(dev);

		rcu_assign_pointer(priv->peer, x722sim_devs[i ^ 1]);
		err = netif_set_real_num_tx_queues(dev, queues);
		if (!err)
			err = netif_set_real_num_rx_queues(dev, queues);
		if (!err)
			err = register_netdevice(dev);
		if (err) {
			rtnl_unlock();
			goto err_destroy;
		}
		netif_carrier_off(dev);
	}
	rtnl_unlock();

	for (i = 0; i < pairs * 2; i++) {
		struct x722sim_priv *priv = netdev_priv(x722sim_devs[i]);

		i40e_espinudp_dev_add(&priv->edev);
	}
	x722sim_edevs_added = true;
	pr_info("%u pair(s), %u queues, key %u bytes, LUT %u\n", pairs,
		queues, X722SIM_KEY_LEN, X722SIM_LUT_SIZE);
	return 0;

err_destroy:
	x722sim_destroy_all();
	return err;
}

static void __exit x722sim_exit(void)
{
	x722sim_destroy_all();
}

module_init(x722sim_init);
module_exit(x722sim_exit);

MODULE_DESCRIPTION("X722-like multi-queue test netdev pair for i40e-espinudp");
MODULE_AUTHOR("i40e-espinudp authors");
MODULE_LICENSE("GPL");
