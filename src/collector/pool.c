/* pool.c - see pool.h.  One job at a time: the caller publishes it under
 * the lock with a new generation number, every thread (the caller too)
 * takes indexes from an atomic counter until none are left, and the caller
 * waits until all workers have left the job. */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t start, done;
	pthread_t *threads;
	int n_threads;
	/* the job, under lock */
	unsigned long gen;
	int busy; /* workers still in the job */
	bool stop;
	void (*fn)(void *, size_t);
	void *ctx;
	size_t n;
	atomic_size_t next;
};

static void work(pool *p, void (*fn)(void *, size_t), void *ctx, size_t n)
{
	for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < n;)
		fn(ctx, i);
}

static void *worker(void *arg)
{
	pool *p = arg;
	unsigned long seen = 0;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->gen == seen)
			pthread_cond_wait(&p->start, &p->lock);
		if (p->stop)
			break;
		seen = p->gen;
		void (*fn)(void *, size_t) = p->fn;
		void *ctx = p->ctx;
		size_t n = p->n;
		pthread_mutex_unlock(&p->lock);
		work(p, fn, ctx, n);
		pthread_mutex_lock(&p->lock);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

pool *pool_new(int threads)
{
	pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->start, NULL);
	pthread_cond_init(&p->done, NULL);
	if (threads > 0 && !(p->threads = calloc((size_t)threads, sizeof *p->threads)))
		threads = 0;
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break; /* fewer workers: slower, still correct */
		p->n_threads++;
	}
	return p;
}

void pool_free(pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->start);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

void pool_for(pool *p, size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
	if (!p || p->n_threads == 0 || n < 2) {
		for (size_t i = 0; i < n; i++)
			fn(ctx, i);
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->fn = fn;
	p->ctx = ctx;
	p->n = n;
	atomic_store(&p->next, 0);
	p->busy = p->n_threads;
	p->gen++;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->lock);
	work(p, fn, ctx, n);
	pthread_mutex_lock(&p->lock);
	while (p->busy > 0)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

int pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}
