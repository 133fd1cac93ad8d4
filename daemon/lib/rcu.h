/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BNFT_DAEMON_LIB_RCU_H
#define BNFT_DAEMON_LIB_RCU_H

/*
 * Returns after one RCU grace period: every BPF program run that started
 * before the call has ended (TC programs run in RCU read-side sections and
 * an ARRAY_OF_MAPS update waits for one). 0 or a negative errno.
 */
int bnft_rcu_sync(void);

#endif
