// SPDX-License-Identifier: GPL-2.0
/* One RCU grace period from user space (daemon/lib/rcu.h). */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "daemon/lib/rcu.h"

int bnft_rcu_sync(void)
{
	DECLARE_LIBBPF_OPTS(bpf_map_create_opts, o);
	uint32_t key = 0;
	int inner, outer, err = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bnft_rcu_in", 4, 4, 1, NULL);
	if (inner < 0)
		return -errno;
	o.inner_map_fd = inner;
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "bnft_rcu", 4, 4, 1, &o);
	if (outer < 0)
		err = -errno;
	else if (bpf_map_update_elem(outer, &key, &inner, BPF_ANY))
		err = -errno;
	if (outer >= 0)
		close(outer);
	close(inner);
	return err;
}
