/* registry.h - the collector's kiosk registry: "kiosk_id public_key" lines
 * (base64 Ed25519), '#' comments and blank lines allowed ([keys] kiosks). */
#ifndef TRAMTIN_COLLECTOR_REGISTRY_H
#define TRAMTIN_COLLECTOR_REGISTRY_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

#define REGISTRY_MAX 100000

typedef struct kiosk_key {
	char id[128];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
} kiosk_key;

typedef struct kiosk_registry {
	kiosk_key *keys; /* sorted by id */
	size_t n;
} kiosk_registry;

/* Reads path into *out (replacing what it held only on success).  A bad
 * file gets one error line naming path:line and false; *out is unchanged. */
bool registry_load(const char *path, kiosk_registry *out);

/* The public key registered for id, or NULL. */
const unsigned char *registry_find(const kiosk_registry *r, const char *id);

void registry_free(kiosk_registry *r);

#endif
