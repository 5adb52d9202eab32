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
#define TRAMTIN_FAULTVFS_H

/* Registers the VFS (not as the default) on first call; later calls, from
 * any thread, only return the result.  Returns its name, to pass as the
 * zVfs argument of sqlite3_open_v2, or NULL if SQLite had no default VFS
 * to wrap or refused the registration. */
const char *faultvfs_register(void);

/* The next skip writes or fsyncs go through, then n fail; n <= 0 turns
 * fault injection off.  Thread-safe. */
void faultvfs_fail_writes_after(int skip, int n);

#endif
