/* ini.h - reading an INI file into a struct, by a table of known keys.
 *
 * Each program lists its sections and keys (ini_key) with where they go
 * in its config struct; ini_load fills the struct and stops at the first
 * fault with one line "FILE:LINE: [section] key: message".  Lines may be
 * indented; a line longer than 198 bytes is an error. */
#ifndef TRAMTIN_INI_H
#define TRAMTIN_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "tramtin/err.h"

typedef enum ini_kind { INI_STR, INI_PATH, INI_INT, INI_ENUM, INI_BOOLEAN } ini_kind;

typedef struct ini_key {
	const char *section, *name;
	ini_kind kind;
	size_t offset, size;  /* where in the struct, and the char array's size */
	long min, max;        /* INI_INT: an int field, in [min, max] */
	const char *choices;  /* INI_ENUM: space-separated words */
} ini_key;

#define INI_STRING(T, sec, nm, field) {sec, nm, INI_STR, offsetof(T, field), sizeof(((T *)0)->field), 0, 0, NULL}
/* a path: relative values are taken from the INI file's folder */
#define INI_FILEPATH(T, sec, nm, field) {sec, nm, INI_PATH, offsetof(T, field), sizeof(((T *)0)->field), 0, 0, NULL}
#define INI_NUMBER(T, sec, nm, field, lo, hi) {sec, nm, INI_INT, offsetof(T, field), sizeof(int), lo, hi, NULL}
/* a bool field: true/false, yes/no, on/off, 1/0 */
#define INI_BOOL(T, sec, nm, field) {sec, nm, INI_BOOLEAN, offsetof(T, field), sizeof(bool), 0, 0, NULL}
#define INI_CHOICE(T, sec, nm, field, ch) {sec, nm, INI_ENUM, offsetof(T, field), sizeof(((T *)0)->field), 0, 0, ch}

/* Reads path into base (over what is there) by the table keys[0..n).
 * Returns TT_OK, TT_ERR_CONFIG (bad key or value; err has the line),
 * TT_ERR_NOTFOUND or TT_ERR_IO (err names the file). */
tt_err ini_load(const char *path, const ini_key *keys, size_t n, void *base, char *err, size_t errlen);

/* The same for an INI text in memory, text[0..len) (need not end in a NUL);
 * name stands for the file in messages and relative paths. */
tt_err ini_load_text(const char *name, const char *text, size_t len, const ini_key *keys, size_t n, void *base,
                     char *err, size_t errlen);

#endif
