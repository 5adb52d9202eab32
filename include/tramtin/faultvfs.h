/* faultvfs.h - "tramtin-fault", a pass-through SQLite VFS that can fail
 * writes, shared by the kiosk's outbox and the collector's store.
 *
 * SQLite's own test seam (os_unix.c reaches its system calls through a
 * table): every file is opened through the default VFS, and while a test
 * has armed the counter each xWrite or xSync fails as a full or failing
 * disk would (SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC).  Unarmed, the shim
 * costs one atomic load per write.  The counter is one for the whole
 * process: the file layer cannot tell connections apart. */
#ifndef TRAMTIN_FAULTVFS_H
#include <stddef.h>

#define TRAMTIN_FAULTVFS_H

/* Registers the VFS (not as the default) on first call; later calls, from
 * any thread, only return the result.  Returns its name, to pass as the
 * zVfs argument of sqlite3_open_v2, or NULL if SQLite had no default VFS
 * to wrap or refused the registration. */
const char *faultvfs_register(void);

/* The next skip writes or fsyncs go through, then n fail; n <= 0 turns
 * fault injection off.  Thread-safe. */
void faultvfs_fail_writes_after(int skip, int n);

/* Opens path read-write through this VFS, creating it 0600 if new (see
 * faultvfs.c for why not by open()+close()), with extended result codes,
 * a busy timeout of busy_ms and WAL journaling.  NULL with one line
 * "PATH: why" in err (errlen > 0) on failure. */
struct sqlite3;
struct sqlite3 *faultvfs_open_wal(const char *path, int busy_ms, char *err, size_t errlen);

#endif
