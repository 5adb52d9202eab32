/* err.h - the one error enum of the Tramtin core.
 *
 * Every fallible core function returns a tt_err (TT_OK is 0) or, for
 * constructors, NULL.  tt_strerror() gives a short English phrase that
 * callers put after the name of the file, key or value at fault. */
#ifndef TRAMTIN_ERR_H
#define TRAMTIN_ERR_H

typedef enum tt_err {
	TT_OK = 0,
	TT_ERR_NOMEM,       /* out of memory */
	TT_ERR_INVAL,       /* bad argument or value */
	TT_ERR_IO,          /* a system call failed; errno says more */
	TT_ERR_PARSE,       /* malformed input (JSON, INI, Markdown, UTF-8) */
	TT_ERR_NOTFOUND,    /* no such file, key or entry */
	TT_ERR_CONFIG,      /* configuration is wrong */
	TT_ERR_CRYPTO,      /* signature or seal did not verify */
	TT_ERR_FULL,        /* a limit was reached; nothing was changed */
	TT_ERR_RANGE,       /* value out of its allowed range */
	TT_ERR_STATE,       /* call not valid in the current state */
	TT_ERR_UNSUPPORTED, /* not available in this build or version */
	TT_ERR__COUNT
} tt_err;

/* Returns a static, never-NULL description of err (also for unknown values). */
const char *tt_strerror(tt_err err);

#endif
