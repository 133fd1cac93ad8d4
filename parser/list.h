/* SPDX-License-Identifier: GPL-2.0 */
/* Intrusive doubly linked list, in the style of the Linux kernel's. */
#ifndef BNFT_PARSER_LIST_H
#define BNFT_PARSER_LIST_H

#include <stddef.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void init_list_head(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Insert n after head. */
static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_add(n, head, head->next);
}

/* Insert n before head (at the tail of the list head). */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__list_add(n, head->prev, head);
}

static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e;
	e->prev = e;
}

static inline void list_replace(struct list_head *old, struct list_head *n)
{
	n->next = old->next;
	n->next->prev = n;
	n->prev = old->prev;
	n->prev->next = n;
	old->next = old;
	old->prev = old;
}

static inline int list_empty(const struct list_head *head)
{
	return head->next == head;
}

static inline void list_splice_tail_init(struct list_head *list, struct list_head *head)
{
	if (list_empty(list))
		return;
	list->next->prev = head->prev;
	head->prev->next = list->next;
	list->prev->next = head;
	head->prev = list->prev;
	init_list_head(list);
}

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)
#define list_next_entry(pos, member) list_entry((pos)->member.next, __typeof__(*(pos)), member)

#define list_for_each_entry(pos, head, member)                                    \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);           \
	     &pos->member != (head); pos = list_entry(pos->member.next, __typeof__(*pos), member))

#define list_for_each_entry_safe(pos, n, head, member)                            \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),           \
	    n = list_entry(pos->member.next, __typeof__(*pos), member);          \
	     &pos->member != (head); pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

#define list_for_each_entry_reverse(pos, head, member)                            \
	for (pos = list_entry((head)->prev, __typeof__(*pos), member);           \
	     &pos->member != (head); pos = list_entry(pos->member.prev, __typeof__(*pos), member))

#define list_for_each_entry_safe_reverse(pos, n, head, member)                    \
	for (pos = list_entry((head)->prev, __typeof__(*pos), member),           \
	    n = list_entry(pos->member.prev, __typeof__(*pos), member);          \
	     &pos->member != (head); pos = n, n = list_entry(n->member.prev, __typeof__(*n), member))

#endif
