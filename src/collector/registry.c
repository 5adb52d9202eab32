/* registry.c - see registry.h. */
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tramtin/crypto.h"
#include "tramtin/log.h"

static int by_id(const void *a, const void *b)
{
	return strcmp(((const kiosk_key *)a)->id, ((const kiosk_key *)b)->id);
}

bool registry_load(const char *path, kiosk_registry *out)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		tt_error("%s: cannot open the kiosk registry: %s", path, tt_strerrno(errno));
		return false;
	}
	kiosk_key *list = NULL;
	size_t n = 0, cap = 0;
	char line[512];
	int lineno = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof line, f)) {
		lineno++;
		char id[128], b64[256];
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (sscanf(p, "%127s %255s", id, b64) != 2) {
			tt_error("%s:%d: expected 'kiosk_id public_key'", path, lineno);
			ok = false;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			kiosk_key *nl = cap > REGISTRY_MAX ? NULL : realloc(list, cap * sizeof *nl);
			if (!nl) {
				tt_error("%s:%d: more kiosks than this collector holds (%d)", path, lineno, REGISTRY_MAX);
				ok = false;
				break;
			}
			list = nl;
		}
		snprintf(list[n].id, sizeof list[n].id, "%s", id);
		if (b64_decode(b64, list[n].pk, sizeof list[n].pk, sizeof list[n].pk, NULL) != TT_OK) {
			tt_error("%s:%d: kiosk '%s': not the base64 of an Ed25519 public key", path, lineno, id);
			ok = false;
			break;
		}
		n++;
	}
	fclose(f);
	if (!ok) {
		free(list);
		return false;
	}
	qsort(list, n, sizeof *list, by_id);
	free(out->keys);
	out->keys = list;
	out->n = n;
	return true;
}

const unsigned char *registry_find(const kiosk_registry *r, const char *id)
{
	kiosk_key k;
	snprintf(k.id, sizeof k.id, "%s", id);
	const kiosk_key *hit = bsearch(&k, r->keys, r->n, sizeof k, by_id);
	return hit ? hit->pk : NULL;
}

void registry_free(kiosk_registry *r)
{
	free(r->keys);
	r->keys = NULL;
	r->n = 0;
}
