/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The svmgpu authors
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM svmgpu

#if !defined(_SVMGPU_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _SVMGPU_TRACE_H_

#include <linux/tracepoint.h>
#include <linux/types.h>

struct svmgpu_vm;

TRACE_EVENT(svmgpu_fault,
	    TP_PROTO(struct svmgpu_vm *vm, u64 addr, u32 access, u64 start, u64 end, int ret),
	    TP_ARGS(vm, addr, access, start, end, ret),
	    TP_STRUCT__entry(__field(const void *, vm)
			     __field(u64, addr)
			     __field(u32, access)
			     __field(u64, start)
			     __field(u64, end)
			     __field(int, ret)
			     ),
	    TP_fast_assign(__entry->vm = vm;
			   __entry->addr = addr;
			   __entry->access = access;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->ret = ret;
			   ),
	    TP_printk("vm=%p addr=0x%llx access=0x%x range=0x%llx-0x%llx ret=%d",
		      __entry->vm, __entry->addr, __entry->access, __entry->start,
		      __entry->end, __entry->ret)
);

TRACE_EVENT(svmgpu_migrate,
	    TP_PROTO(u64 start, u64 end, int ret),
	    TP_ARGS(start, end, ret),
	    TP_STRUCT__entry(__field(u64, start)
			     __field(u64, end)
			     __field(int, ret)
			     ),
	    TP_fast_assign(__entry->start = start;
			   __entry->end = end;
			   __entry->ret = ret;
			   ),
	    TP_printk("to vram 0x%llx-0x%llx ret=%d", __entry->start, __entry->end, __entry->ret)
);

TRACE_EVENT(svmgpu_evict,
	    TP_PROTO(u64 size, int ret),
	    TP_ARGS(size, ret),
	    TP_STRUCT__entry(__field(u64, size)
			     __field(int, ret)
			     ),
	    TP_fast_assign(__entry->size = size;
			   __entry->ret = ret;
			   ),
	    TP_printk("size=%llu ret=%d", __entry->size, __entry->ret)
);

#endif /* _SVMGPU_TRACE_H_ */

/* This part must be outside protection */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE svmgpu_trace
#include <trace/define_trace.h>
