/* err.c - names of the core's error codes. */
#include "tramtin/err.h"

const char *tt_strerror(tt_err err)
{
	static const char *const names[TT_ERR__COUNT] = {
		[TT_OK] = "success",
		[TT_ERR_NOMEM] = "out of memory",
		[TT_ERR_INVAL] = "invalid value",
		[TT_ERR_IO] = "input/output error",
		[TT_ERR_PARSE] = "malformed input",
		[TT_ERR_NOTFOUND] = "not found",
		[TT_ERR_CONFIG] = "configuration error",
		[TT_ERR_CRYPTO] = "signature or seal did not verify",
		[TT_ERR_FULL] = "limit reached",
		[TT_ERR_RANGE] = "value out of range",
		[TT_ERR_STATE] = "not valid in the current state",
		[TT_ERR_UNSUPPORTED] = "not supported",
	};
	if ((unsigned)err >= TT_ERR__COUNT)
		return "unknown error";
	return names[err];
}
