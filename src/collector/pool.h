/* pool.h - a fixed set of worker threads that run one loop in parallel.
 *
 * pool_for(p, n, fn, ctx) calls fn(ctx, i) once for every i in [0, n),
 * spread over the workers and the calling thread, and returns when all
 * calls have returned.  The collector uses it to check a batch's
 * signatures and seals (the costly part of ingest) on every core, while
 * storing stays on one thread. */
#ifndef TRAMTIN_POOL_H
#define TRAMTIN_POOL_H

#include <stddef.h>

typedef struct pool pool;

/* threads: workers besides the caller (0: everything runs in the caller). */
pool *pool_new(int threads);
void pool_free(pool *p);
void pool_for(pool *p, size_t n, void (*fn)(void *ctx, size_t i), void *ctx);
/* Online CPUs, at least 1. */
int pool_cpus(void);

#endif
