/* SPDX-License-Identifier: GPL-2.0 */
/* `ct count` (connlimit expression): translator/codegen_connlimit.c. */
#ifndef BNFT_TRANSLATOR_CODEGEN_CONNLIMIT_H
#define BNFT_TRANSLATOR_CODEGEN_CONNLIMIT_H

struct cg;
struct nftnl_expr;

int cg_connlimit(struct cg *cg, struct nftnl_expr *ex);

#endif
