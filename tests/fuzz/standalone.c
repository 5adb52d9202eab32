/* standalone.c - a main() for the fuzz targets when they are not built
 * with libFuzzer (gcc, `meson test`): deterministic, not time-based.
 *
 *   fuzz_X [-n N] [-s SEED] -c DIR   N inputs: the seeds in DIR (sorted
 *                                    by name), each mutated from a fixed
 *                                    pseudo-random sequence
 *   fuzz_X -d K ... -c DIR           also saves input number K (from 0) as
 *                                    ./input-K (a leak, found by bisecting N)
 *   fuzz_X FILE...                   runs each file as one input (a crash
 *                                    that libFuzzer saved, a corpus)
 *
 * Mutations: overwrite, insert (often a byte that matters to the parsers:
 * brackets, quotes, newlines, '#', '*', '&'), delete, duplicate a run,
 * splice in part of another seed, truncate. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define FUZZ_MAX_INPUT (1 << 16)

struct seed {
	uint8_t *p;
	size_t n;
};

static uint32_t rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = malloc(FUZZ_MAX_INPUT);
	if (buf)
		*n = fread(buf, 1, FUZZ_MAX_INPUT, f);
	fclose(f);
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t load_seeds(const char *dir, struct seed **out)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **p = realloc(names, (n + 1) * sizeof *names);
		if (!p)
			break;
		names = p;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	*out = calloc(n ? n : 1, sizeof **out);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		size_t len = 0;
		uint8_t *p = read_file(path, &len);
		if (p && *out)
			(*out)[k++] = (struct seed){p, len};
		else
			free(p);
		free(names[i]);
	}
	free(names);
	return k;
}

/* On a crash the input is saved as ./crash-standalone (run it again with
 * the target and that file). */
static const uint8_t *current;
static size_t current_len;

static void on_crash(int sig)
{
	int fd = open("crash-standalone", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, current, current_len) < 0)
			(void)0;
		close(fd);
		static const char msg[] = "standalone: input saved in ./crash-standalone\n";
		if (write(2, msg, sizeof msg - 1) < 0)
			(void)0;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static const char interesting[] = "{}[]\"\\:,=#*_`>-+!()\n\n\r\t &;<0123456789@xu";

int main(int argc, char **argv)
{
	long iters = 10000, dump = -1;
	uint32_t seed = 0x9E3779B9u;
	const char *dir = NULL;
	int files = 0, status = 0;
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			iters = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			seed = (uint32_t)strtoul(argv[++i], NULL, 0) | 1;
		} else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			dump = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			dir = argv[++i];
		} else {
			size_t n = 0;
			uint8_t *p = read_file(argv[i], &n);
			files++;
			if (!p) {
				fprintf(stderr, "%s: %s: cannot open\n", argv[0], argv[i]);
				status = 2;
				continue;
			}
			LLVMFuzzerTestOneInput(p, n);
			free(p);
		}
	}
	if (files)
		return status;
	struct seed *seeds = NULL;
	size_t n_seeds = dir ? load_seeds(dir, &seeds) : 0;
	if (!n_seeds) {
		fprintf(stderr, "%s: no seeds (give -c CORPUS_DIR, or files)\n", argv[0]);
		return 2;
	}
	uint8_t *buf = malloc(FUZZ_MAX_INPUT);
	if (!buf)
		return 1;
	signal(SIGABRT, on_crash);
	signal(SIGSEGV, on_crash);
	for (long it = 0; it < iters; it++) {
		const struct seed *s = &seeds[rng(&seed) % n_seeds];
		size_t n = s->n;
		memcpy(buf, s->p, n);
		/* every seed also runs as it is, first */
		int k = it < (long)n_seeds ? 0 : 1 + (int)(rng(&seed) % 8);
		if (it < (long)n_seeds) {
			s = &seeds[it];
			n = s->n;
			memcpy(buf, s->p, n);
		}
		for (int j = 0; j < k; j++) {
			size_t at = n ? rng(&seed) % n : 0;
			switch (rng(&seed) % 7) {
			case 0:
				if (n)
					buf[at] = (uint8_t)rng(&seed);
				break;
			case 1:
			case 2:
				if (n < FUZZ_MAX_INPUT) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = (uint8_t)interesting[rng(&seed) % (sizeof interesting - 1)];
					n++;
				}
				break;
			case 3:
				if (n) {
					size_t len = 1 + rng(&seed) % 8;
					if (len > n - at)
						len = n - at;
					memmove(buf + at, buf + at + len, n - at - len);
					n -= len;
				}
				break;
			case 4: { /* duplicate a run */
				size_t len = n ? 1 + rng(&seed) % 32 : 0;
				if (len > n - at)
					len = n - at;
				if (n + len <= FUZZ_MAX_INPUT) {
					memmove(buf + at + len, buf + at, n - at);
					n += len;
				}
				break;
			}
			case 5: { /* splice in part of another seed */
				const struct seed *o = &seeds[rng(&seed) % n_seeds];
				if (!o->n)
					break;
				size_t from = rng(&seed) % o->n, len = 1 + rng(&seed) % 64;
				if (len > o->n - from)
					len = o->n - from;
				if (n + len <= FUZZ_MAX_INPUT) {
					memmove(buf + at + len, buf + at, n - at);
					memcpy(buf + at, o->p + from, len);
					n += len;
				}
				break;
			}
			default:
				if (rng(&seed) % 4 == 0)
					n = at;
			}
		}
		current = buf;
		current_len = n;
		if (it == dump) {
			char name[64];
			snprintf(name, sizeof name, "input-%ld", it);
			FILE *f = fopen(name, "wb");
			if (f) {
				fwrite(buf, 1, n, f);
				fclose(f);
			}
		}
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("%s: %ld inputs from %zu seeds, no crash\n", argv[0], iters, n_seeds);
	free(buf);
	for (size_t i = 0; i < n_seeds; i++)
		free(seeds[i].p);
	free(seeds);
	return 0;
}
