/* SPDX-License-Identifier: GPL-2.0 */
/* Live values of the statements of translator/codegen_obj.c, read back from
 * the pins of the active generation. */
#ifndef BNFT_TRANSLATOR_STMT_LIVE_H
#define BNFT_TRANSLATOR_STMT_LIVE_H

struct bnft_ruleset;

/* Fd of the active generation's set map with BPF object name `name`
 * (-ENOENT when there is none, another negative errno on failure). */
int bnft_live_gen_map(const char *root, const char *name, int *fd_out);
/* Named counters and quotas, and the `used` of rule quotas, from the live
 * maps into rs. 0 when nothing is live; negative errno on failure. */
int bnft_live_refresh_objects(struct bnft_ruleset *rs, const char *root);

#endif
