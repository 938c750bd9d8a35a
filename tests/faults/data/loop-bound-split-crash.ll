; LLVM 19 crashes (SIGSEGV) on this function in loop-bound-split:
;   opt-19 -passes='function(loop-bound-split)' loop-bound-split-crash.ll
; Reduced with llvm-reduce from kernels-v0/dijkstra compiled at -O0 without
; optnone, after mem2reg.
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

define i32 @main() {
  br label %1

1:                                                ; preds = %9, %0
  %.04 = phi i32 [ 0, %0 ], [ %10, %9 ]
  br label %2

2:                                                ; preds = %7, %1
  %.1 = phi i32 [ 0, %1 ], [ %8, %7 ]
  %3 = icmp slt i32 %.1, 0
  br i1 %3, label %4, label %9

4:                                                ; preds = %2
  %5 = icmp eq i32 %.04, 0
  br i1 %5, label %7, label %6

6:                                                ; preds = %4
  br label %7

7:                                                ; preds = %6, %4
  %8 = add i32 %.1, 1
  br label %2

9:                                                ; preds = %2
  %10 = add i32 %.04, 1
  br label %1
}
