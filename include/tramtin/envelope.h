/* envelope.h - the sealed, signed submission on the wire (ARCHITECTURE.md,
 * "Envelope").
 *
 *   {"v":1, "id":"<uuid v4>", "kiosk":"...", "sealed":"<base64>", "sig":"<base64>"}
 *
 * sealed = crypto_box_seal(pad(inner JSON)) to the collector's X25519 key,
 * padded with sodium_pad to the next size bucket so the broker learns
 * neither text nor kind; sig = Ed25519 over
 * "tramtin-sub-v1\n" + id + "\n" + kiosk + "\n" + sealed (the base64 text).
 * Inner JSON: kind, created (UTC ISO 8601; rounded down to the day for
 * anonymous kinds), category, rating, text (NFC), contact {name, phone}
 * (never for anonymous kinds), ref, lang, code (grouped). */
#ifndef TRAMTIN_ENVELOPE_H
#define TRAMTIN_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tramtin/crypto.h"
#include "tramtin/err.h"

#define ENVELOPE_ID_LEN 36        /* a UUID in text */
#define ENVELOPE_MAX_TEXT 20000   /* bytes of text a submission may carry */
#define ENVELOPE_MAX_BYTES (64 * 1024) /* a whole envelope, JSON */

typedef enum sub_kind { SUB_FEEDBACK = 0, SUB_COMPLAINT, SUB_OBJECTION, SUB_SURVEY, SUB__KINDS } sub_kind;

/* What a citizen submitted.  Strings are borrowed, NULL or "" when absent. */
typedef struct tt_submission {
	sub_kind kind;
	bool anonymous;      /* complaint without contact: no name, no phone, day only */
	const char *category;
	int rating;          /* 1..5, 0 none */
	const char *text;    /* NFC */
	const char *name, *phone;
	const char *ref;     /* notice or page id */
	const char *lang;    /* "vi" or "en" */
	const char *code;    /* grouped tracking code */
	int64_t created;     /* UTC seconds */
} tt_submission;

const char *sub_kind_name(sub_kind k);         /* "feedback", ... */
bool sub_kind_parse(const char *s, sub_kind *out);

/* Writes a random UUID v4 (lower-case) into out. */
void envelope_uuid(char out[ENVELOPE_ID_LEN + 1]);
/* True for a UUID v4 in lower-case text form, exactly (ids of envelopes
 * and staff messages). */
bool envelope_id_valid(const char *s);

/* The inner JSON of s (a new string, caller frees; NULL on out of memory
 * or a bad submission).  Anonymous kinds: created rounded down to the
 * UTC day, contact left out whatever s says.  Keys: kind, created
 * ("YYYY-MM-DDTHH:MM:SSZ"), category, text, lang (always, "" if absent),
 * rating (left out when 0), contact {name, phone} (only when not anonymous
 * and one of them is given), ref (left out when empty), code (grouped,
 * left out when absent).  Bad: unknown kind, rating outside 0..5, created
 * before 1970 or after 9999, a string that is not valid UTF-8, text over
 * ENVELOPE_MAX_TEXT bytes (other strings over 1024), a code that does
 * not normalise. */
char *envelope_inner_json(const tt_submission *s);

/* Builds the whole envelope JSON (a new string in *out, caller frees) for
 * inner JSON with id and kiosk, sealed to collector_pk, signed with key.
 * All pointers are borrowed.  Returns TT_OK; TT_ERR_INVAL (id not a
 * lower-case UUID v4, kiosk not 1..127 of [A-Za-z0-9_-], inner JSON empty
 * or not UTF-8); TT_ERR_RANGE (inner JSON over 32767 bytes: the envelope
 * would pass ENVELOPE_MAX_BYTES); TT_ERR_NOMEM. */
tt_err envelope_build(const char *id, const char *kiosk, const char *inner_json,
                      const unsigned char collector_pk[crypto_box_PUBLICKEYBYTES], const tt_sign_key *key,
                      char **out);

/* Size bucket a padded inner payload is rounded up to (bytes): 1024,
 * 2048, ... 32768, then multiples of 32768; always at least len + 1
 * (sodium_pad adds one byte or more).  0 for absurd len (> SIZE_MAX/2). */
size_t envelope_bucket(size_t len);

/* --- the receiving side (collector, tests) ------------------------------ */

typedef struct tt_envelope {
	int v;
	char id[ENVELOPE_ID_LEN + 1];
	char kiosk[128];
	char *sealed; /* base64 as received */
	char *sig;
} tt_envelope;

/* Parses envelope JSON (at most ENVELOPE_MAX_BYTES; json need not be
 * NUL-terminated).  env is overwritten (not freed first); after TT_OK the
 * caller calls envelope_free.  Returns TT_OK; TT_ERR_PARSE with a short
 * reason in why ("not JSON", "unsupported version", "bad id", "bad kiosk",
 * "missing sealed", "missing sig"); TT_ERR_RANGE ("too large");
 * TT_ERR_INVAL; TT_ERR_NOMEM.  why may be NULL. */
tt_err envelope_parse(const char *json, size_t len, tt_envelope *env, char *why, size_t whylen);
void envelope_free(tt_envelope *env); /* frees the strings; accepts an empty one */

/* Checks the signature against the kiosk's public key: TT_OK or TT_ERR_CRYPTO. */
tt_err envelope_verify(const tt_envelope *env, const unsigned char kiosk_pk[crypto_sign_PUBLICKEYBYTES]);

/* Opens the seal with the collector's keys; *inner is the unpadded inner
 * JSON (NUL-terminated, caller frees).  TT_ERR_CRYPTO if it does not open;
 * TT_ERR_PARSE if it opens but the padding is bad or what is inside is not
 * a UTF-8 JSON object.  Verify the signature first: anyone can seal. */
tt_err envelope_open(const tt_envelope *env, const tt_box_key *collector, char **inner);

/* The same, handing the inner JSON object already parsed (the check above
 * parses it anyway), for a reader that would parse it again.  Free it
 * with envelope_json_free, which wipes its strings first. */
struct cJSON;
tt_err envelope_open_json(const tt_envelope *env, const tt_box_key *collector, struct cJSON **inner);
void envelope_json_free(struct cJSON *j);

/* --- acknowledgements (collector -> kiosk) ------------------------------- */

/* Reads an ack {"v":1,"ids":[...]} (json[0..len), need not end in a NUL)
 * and calls each(ctx, ids, n) for its string ids in batches of at most
 * ENVELOPE_ACK_BATCH (the strings live until each returns; other entries
 * are skipped).  Returns TT_OK, TT_ERR_PARSE (not an object with an "ids"
 * array), TT_ERR_RANGE (over 1 MiB) or TT_ERR_INVAL. */
#define ENVELOPE_ACK_BATCH 512
tt_err envelope_ack_parse(const char *json, size_t len, void (*each)(void *ctx, const char *const *ids, size_t n),
                          void *ctx);

#endif
