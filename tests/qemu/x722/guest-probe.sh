#!/bin/bash
# Development guest script: load the stock i40e and show what it made of
# the emulated X722.
/modules/load.sh ${I40E_ARGS:-}
sleep 5
ip -br link
for i in $(ls /sys/class/net | grep -v lo); do
	echo "== $i"; ethtool -i $i; ethtool $i | grep -E 'Speed|Link detected'
done
dmesg | grep -i -E 'i40e|x722' | tail -60
