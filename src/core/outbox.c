/* outbox.c - the kiosk's durable queue of sealed submissions, in SQLite.
 *
 * One table, one row per envelope: seq (the order of arrival), id (the
 * envelope's UUID, unique, so a put is idempotent), the envelope, the
 * wall-clock time of the put (for "oldest waiting"), the monotonic time it
 * was last sent (NULL: never) and how often.  The file runs in WAL mode
 * with synchronous=FULL, so a put that returned TT_OK survives a power cut,
 * and with secure_delete, so an acknowledged envelope is overwritten, not
 * just unlinked from the b-tree; when the queue drains the WAL is
 * truncated too, so the disk keeps nothing the collector already has.
 * Each outbox is one connection used by one thread (SQLITE_OPEN_NOMUTEX);
 * several connections share a file through SQLite's locks, and every
 * read-modify-write runs in BEGIN IMMEDIATE with a 5 s busy timeout.
 * Nothing here aborts: a failure is logged in one line naming the file,
 * the transaction is rolled back, and TT_ERR_IO returned.
 * Files are opened through "tramtin-fault", a pass-through VFS over the
 * default one (SQLite's own test seam, as in os_unix.c): while the counter
 * set by outbox_fail_next_writes is above zero, each xWrite or xSync fails
 * as a full or failing disk would, so tests can show nothing is lost;
 * outbox_fail_writes_after lets some through first, to reach every step
 * of a commit (WAL header, frames, the fsync).  A commit whose fsync
 * failed may still be found in the WAL by a recovery after a crash (the
 * frames are written, only their durability is unknown): then a put that
 * returned TT_ERR_IO is delivered after all, which loses nothing. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tramtin/clock.h"
#include "tramtin/log.h"
#include "tramtin/outbox.h"

#define VFS_NAME "tramtin-fault"
#define BUSY_MS 5000
#define ID_MAX (sizeof ((outbox_item *)0)->id - 1)

struct outbox {
	sqlite3 *db;
	char *path;
	size_t max_pending;
	sqlite3_stmt *begin, *commit, *rollback;
	sqlite3_stmt *exists, *count, *insert, *due, *mark, *reset, *del, *stats;
};

/* --- the fault-injecting VFS ------------------------------------------- */

/* Faults to inject: skip writes pass, then fail writes fail.  armed lets
 * every write skip the lock when no test asked for faults. */
static atomic_int fault_armed;
static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static int fault_skip, fault_fail;
static sqlite3_vfs fault_vfs;
static pthread_once_t vfs_once = PTHREAD_ONCE_INIT;
static int vfs_rc = SQLITE_ERROR;

struct fault_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

#define REAL(f) (((struct fault_file *)(f))->real)
#define RVFS(v) ((sqlite3_vfs *)(v)->pAppData)

/* True (and one fewer to go) if this write or sync is to fail. */
static bool inject(void)
{
	bool fail = false;
	if (!atomic_load(&fault_armed))
		return false;
	pthread_mutex_lock(&fault_lock);
	if (fault_skip > 0) {
		fault_skip--;
	} else if (fault_fail > 0) {
		fault_fail--;
		fail = true;
	}
	atomic_store(&fault_armed, fault_fail > 0);
	pthread_mutex_unlock(&fault_lock);
	return fail;
}

static int f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
}

static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (inject())
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
	if (inject())
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int f_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int f_check_reserved_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_device_characteristics(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int f_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), page, size, extend, p);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

/* One table per io_methods version, so the shim offers exactly what the
 * real file does (SQLite decides on WAL and mmap by what is there). */
#define IO_V1                                                                                                         \
	f_close, f_read, f_write, f_truncate, f_sync, f_file_size, f_lock, f_unlock, f_check_reserved_lock,           \
	    f_file_control, f_sector_size, f_device_characteristics
static const sqlite3_io_methods io_v1 = {1, IO_V1, NULL, NULL, NULL, NULL, NULL, NULL};
static const sqlite3_io_methods io_v2 = {2, IO_V1, f_shm_map, f_shm_lock, f_shm_barrier, f_shm_unmap, NULL, NULL};
static const sqlite3_io_methods io_v3 = {3,           IO_V1,       f_shm_map, f_shm_lock,
                                         f_shm_barrier, f_shm_unmap, f_fetch,   f_unfetch};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	struct fault_file *p = (struct fault_file *)file;
	p->base.pMethods = NULL;
	p->real = (sqlite3_file *)(p + 1);
	p->real->pMethods = NULL;
	int rc = RVFS(vfs)->xOpen(RVFS(vfs), name, p->real, flags, out_flags);
	if (p->real->pMethods) {
		int v = p->real->pMethods->iVersion;
		p->base.pMethods = v >= 3 ? &io_v3 : v == 2 ? &io_v2 : &io_v1;
	}
	return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	return RVFS(vfs)->xDelete(RVFS(vfs), name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	return RVFS(vfs)->xAccess(RVFS(vfs), name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	return RVFS(vfs)->xFullPathname(RVFS(vfs), name, n, out);
}

static void *v_dl_open(sqlite3_vfs *vfs, const char *name)
{
	return RVFS(vfs)->xDlOpen(RVFS(vfs), name);
}

static void v_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
	RVFS(vfs)->xDlError(RVFS(vfs), n, msg);
}

static void (*v_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	return RVFS(vfs)->xDlSym(RVFS(vfs), h, sym);
}

static void v_dl_close(sqlite3_vfs *vfs, void *h)
{
	RVFS(vfs)->xDlClose(RVFS(vfs), h);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	return RVFS(vfs)->xRandomness(RVFS(vfs), n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
	return RVFS(vfs)->xSleep(RVFS(vfs), us);
}

static int v_current_time(sqlite3_vfs *vfs, double *out)
{
	return RVFS(vfs)->xCurrentTime(RVFS(vfs), out);
}

static int v_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	return RVFS(vfs)->xGetLastError ? RVFS(vfs)->xGetLastError(RVFS(vfs), n, out) : 0;
}

static int v_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	return RVFS(vfs)->xCurrentTimeInt64(RVFS(vfs), out);
}

static int v_set_system_call(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr p)
{
	return RVFS(vfs)->xSetSystemCall(RVFS(vfs), name, p);
}

static sqlite3_syscall_ptr v_get_system_call(sqlite3_vfs *vfs, const char *name)
{
	return RVFS(vfs)->xGetSystemCall(RVFS(vfs), name);
}

static const char *v_next_system_call(sqlite3_vfs *vfs, const char *name)
{
	return RVFS(vfs)->xNextSystemCall(RVFS(vfs), name);
}

static void register_vfs(void)
{
	sqlite3_vfs *real = sqlite3_vfs_find(NULL);
	if (!real)
		return;
	size_t head = (sizeof(struct fault_file) + 7) / 8 * 8;
	fault_vfs = (sqlite3_vfs){
		.iVersion = real->iVersion < 3 ? real->iVersion : 3,
		.szOsFile = (int)head + real->szOsFile,
		.mxPathname = real->mxPathname,
		.zName = VFS_NAME,
		.pAppData = real,
		.xOpen = v_open,
		.xDelete = v_delete,
		.xAccess = v_access,
		.xFullPathname = v_full_pathname,
		.xDlOpen = v_dl_open,
		.xDlError = v_dl_error,
		.xDlSym = v_dl_sym,
		.xDlClose = v_dl_close,
		.xRandomness = v_randomness,
		.xSleep = v_sleep,
		.xCurrentTime = v_current_time,
		.xGetLastError = v_get_last_error,
	};
	if (fault_vfs.iVersion >= 2)
		fault_vfs.xCurrentTimeInt64 = v_current_time_int64;
	if (fault_vfs.iVersion >= 3) {
		fault_vfs.xSetSystemCall = v_set_system_call;
		fault_vfs.xGetSystemCall = v_get_system_call;
		fault_vfs.xNextSystemCall = v_next_system_call;
	}
	vfs_rc = sqlite3_vfs_register(&fault_vfs, 0);
}

void outbox_fail_writes_after(int skip, int n)
{
	pthread_mutex_lock(&fault_lock);
	fault_skip = skip > 0 ? skip : 0;
	fault_fail = n > 0 ? n : 0;
	atomic_store(&fault_armed, fault_fail > 0);
	pthread_mutex_unlock(&fault_lock);
}

void outbox_fail_next_writes(outbox *o, int n)
{
	(void)o; /* the VFS cannot tell connections apart: the counter is global */
	outbox_fail_writes_after(0, n);
}

/* --- statements and transactions ---------------------------------------- */

/* Logs a failed step in one line naming the file. */
static tt_err log_fail(outbox *o, const char *what)
{
	tt_warn("%s: %s: %s", o->path, what, sqlite3_errmsg(o->db));
	return TT_ERR_IO;
}

static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a statement that returns no rows.  False (logged) on failure. */
static bool run(outbox *o, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_fail(o, what);
		done(st);
		return false;
	}
	done(st);
	return true;
}

/* Ends a failed transaction, if SQLite has not already done so. */
static void rollback(outbox *o)
{
	if (!sqlite3_get_autocommit(o->db))
		run(o, o->rollback, "cannot roll back");
}

static bool commit(outbox *o, const char *what)
{
	if (run(o, o->commit, what))
		return true;
	rollback(o);
	return false;
}

static bool prepare(outbox *o, sqlite3_stmt **st, const char *sql)
{
	return sqlite3_prepare_v3(o->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK;
}

/* --- the outbox ---------------------------------------------------------- */

outbox *outbox_open(const char *path, size_t max_pending, char *err, size_t errlen)
{
	char dummy[1];
	outbox *o = NULL;
	sqlite3_stmt *wal = NULL;
	const char *why = NULL;
	int fd;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (!path || !*path) {
		snprintf(err, errlen, "outbox: no file given");
		return NULL;
	}
	pthread_once(&vfs_once, register_vfs);
	if (vfs_rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot set up SQLite's file layer", path);
		return NULL;
	}
	/* Created 0600 here: SQLite gives the -wal and -shm files the same mode. */
	if (strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(err, errlen, "%s: %s", path, tt_strerrno(errno));
			return NULL;
		}
		close(fd);
	}
	o = calloc(1, sizeof *o);
	if (!o || !(o->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(o);
		return NULL;
	}
	o->max_pending = max_pending;
	if (sqlite3_open_v2(path, &o->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    VFS_NAME) != SQLITE_OK) {
		why = o->db ? sqlite3_errmsg(o->db) : "out of memory";
		goto fail;
	}
	sqlite3_extended_result_codes(o->db, 1);
	sqlite3_busy_timeout(o->db, BUSY_MS);
	if (sqlite3_prepare_v2(o->db, "PRAGMA journal_mode=WAL", -1, &wal, NULL) != SQLITE_OK ||
	    sqlite3_step(wal) != SQLITE_ROW) {
		why = sqlite3_errmsg(o->db);
		goto fail;
	}
	if (sqlite3_stricmp((const char *)sqlite3_column_text(wal, 0), "wal") != 0) {
		why = "cannot use write-ahead logging (WAL) here";
		goto fail;
	}
	sqlite3_finalize(wal);
	wal = NULL;
	if (sqlite3_exec(o->db,
	                 "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
	                 "CREATE TABLE IF NOT EXISTS outbox("
	                 " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	                 " id TEXT UNIQUE NOT NULL,"
	                 " envelope TEXT NOT NULL,"
	                 " put_wall INTEGER NOT NULL,"
	                 " sent_ms INTEGER,"
	                 " attempts INTEGER NOT NULL DEFAULT 0)",
	                 NULL, NULL, NULL) != SQLITE_OK) {
		why = sqlite3_errmsg(o->db);
		goto fail;
	}
	if (!prepare(o, &o->begin, "BEGIN IMMEDIATE") || !prepare(o, &o->commit, "COMMIT") ||
	    !prepare(o, &o->rollback, "ROLLBACK") || !prepare(o, &o->exists, "SELECT 1 FROM outbox WHERE id = ?1") ||
	    !prepare(o, &o->count, "SELECT count(*) FROM outbox") ||
	    !prepare(o, &o->insert, "INSERT OR IGNORE INTO outbox(id, envelope, put_wall) VALUES(?1, ?2, ?3)") ||
	    !prepare(o, &o->due,
	             "SELECT seq, id, envelope, attempts FROM outbox"
	             " WHERE sent_ms IS NULL OR sent_ms > ?1 OR sent_ms <= ?2 ORDER BY seq LIMIT ?3") ||
	    !prepare(o, &o->mark, "UPDATE outbox SET sent_ms = ?1, attempts = attempts + 1 WHERE seq = ?2") ||
	    !prepare(o, &o->reset, "UPDATE outbox SET sent_ms = NULL WHERE sent_ms IS NOT NULL") ||
	    !prepare(o, &o->del, "DELETE FROM outbox WHERE id = ?1") ||
	    !prepare(o, &o->stats, "SELECT count(*), min(put_wall) FROM outbox")) {
		why = sqlite3_errmsg(o->db);
		goto fail;
	}
	return o;
fail:
	snprintf(err, errlen, "%s: %s", path, why ? why : "cannot open");
	sqlite3_finalize(wal);
	outbox_close(o);
	return NULL;
}

void outbox_close(outbox *o)
{
	if (!o)
		return;
	sqlite3_stmt *all[] = {o->begin, o->commit, o->rollback, o->exists, o->count, o->insert,
	                       o->due,   o->mark,   o->reset,    o->del,    o->stats};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		sqlite3_finalize(all[i]);
	if (o->db && sqlite3_close(o->db) != SQLITE_OK)
		tt_warn("%s: cannot close: %s", o->path, sqlite3_errmsg(o->db));
	free(o->path);
	free(o);
}

tt_err outbox_put(outbox *o, const char *id, const char *envelope)
{
	sqlite3_stmt *st = NULL;
	const char *what;
	int rc;

	if (!o || !id || !*id || strlen(id) > ID_MAX || !envelope)
		return TT_ERR_INVAL;
	if (!run(o, o->begin, "cannot start a transaction"))
		return TT_ERR_IO;

	st = o->exists;
	what = "cannot look up a submission";
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto fail;
	done(st);
	if (rc == SQLITE_ROW) { /* already committed: nothing to do */
		rollback(o);
		return TT_OK;
	}

	if (o->max_pending) {
		st = o->count;
		what = "cannot count waiting submissions";
		if (sqlite3_step(st) != SQLITE_ROW)
			goto fail;
		sqlite3_int64 n = sqlite3_column_int64(st, 0);
		done(st);
		if (n >= 0 && (uint64_t)n >= o->max_pending) {
			rollback(o);
			return TT_ERR_FULL;
		}
	}

	st = o->insert;
	what = "cannot store a submission";
	if (sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, envelope, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, clock_now()) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	done(st);
	return commit(o, "cannot commit a submission") ? TT_OK : TT_ERR_IO;
fail:
	log_fail(o, what);
	done(st);
	rollback(o);
	return TT_ERR_IO;
}

void outbox_item_free(outbox_item *it)
{
	if (!it)
		return;
	free(it->envelope);
	it->envelope = NULL;
}

size_t outbox_take(outbox *o, uint64_t now_ms, uint64_t retry_ms, outbox_item *items, size_t max)
{
	size_t n = 0;
	int rc = SQLITE_DONE;

	if (!o || !items || !max)
		return 0;
	if (max > INT32_MAX)
		max = INT32_MAX;
	if (!run(o, o->begin, "cannot start a transaction"))
		return 0;
	/* sent_ms > now: sent before a reboot reset the monotonic clock. */
	sqlite3_bind_int64(o->due, 1, (sqlite3_int64)now_ms);
	sqlite3_bind_int64(o->due, 2, now_ms >= retry_ms ? (sqlite3_int64)(now_ms - retry_ms) : -1);
	sqlite3_bind_int64(o->due, 3, (sqlite3_int64)max);
	while (n < max && (rc = sqlite3_step(o->due)) == SQLITE_ROW) {
		outbox_item *it = &items[n];
		const char *id = (const char *)sqlite3_column_text(o->due, 1);
		const char *env = (const char *)sqlite3_column_text(o->due, 2);
		memset(it, 0, sizeof *it);
		it->seq = sqlite3_column_int64(o->due, 0);
		it->attempts = sqlite3_column_int(o->due, 3) + 1;
		snprintf(it->id, sizeof it->id, "%s", id ? id : "");
		/* NULL from a NOT NULL column: SQLite ran out of memory */
		if (!id || !env || !(it->envelope = strdup(env))) {
			tt_warn("%s: out of memory taking submissions to send", o->path);
			done(o->due);
			goto fail;
		}
		n++;
	}
	if (n < max && rc != SQLITE_DONE) {
		log_fail(o, "cannot read submissions to send");
		done(o->due);
		goto fail;
	}
	done(o->due);
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(o->mark, 1, (sqlite3_int64)now_ms);
		sqlite3_bind_int64(o->mark, 2, items[i].seq);
		if (!run(o, o->mark, "cannot mark a submission sent"))
			goto fail;
	}
	if (!commit(o, "cannot commit sent marks"))
		goto fail;
	return n;
fail:
	rollback(o);
	for (size_t i = 0; i < n; i++)
		outbox_item_free(&items[i]);
	return 0;
}

tt_err outbox_reset_sent(outbox *o)
{
	if (!o)
		return TT_ERR_INVAL;
	return run(o, o->reset, "cannot mark submissions for resending") ? TT_OK : TT_ERR_IO;
}

tt_err outbox_ack(outbox *o, const char *id)
{
	if (!o || !id)
		return TT_ERR_INVAL;
	sqlite3_bind_text(o->del, 1, id, -1, SQLITE_STATIC);
	if (!run(o, o->del, "cannot erase an acknowledged submission"))
		return TT_ERR_IO;
	if (sqlite3_changes(o->db) > 0) {
		/* Drained: truncate the WAL, which still holds the old pages.
		 * Best effort; a busy reader only delays it to the next drain. */
		size_t pending = 1;
		int64_t oldest;
		if (outbox_stats(o, &pending, &oldest) == TT_OK && pending == 0)
			sqlite3_wal_checkpoint_v2(o->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	return TT_OK;
}

int outbox_pending(outbox *o, const char *id)
{
	int rc;

	if (!o || !id)
		return -1;
	sqlite3_bind_text(o->exists, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(o->exists);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_fail(o, "cannot look up a submission");
		done(o->exists);
		return -1;
	}
	done(o->exists);
	return rc == SQLITE_ROW;
}

tt_err outbox_stats(outbox *o, size_t *pending, int64_t *oldest_s)
{
	sqlite3_int64 n, first;
	bool empty;

	if (!o)
		return TT_ERR_INVAL;
	if (sqlite3_step(o->stats) != SQLITE_ROW) {
		log_fail(o, "cannot count waiting submissions");
		done(o->stats);
		return TT_ERR_IO;
	}
	n = sqlite3_column_int64(o->stats, 0);
	empty = sqlite3_column_type(o->stats, 1) == SQLITE_NULL;
	first = sqlite3_column_int64(o->stats, 1);
	done(o->stats);
	if (pending)
		*pending = n > 0 ? (size_t)n : 0;
	if (oldest_s) {
		int64_t age = empty ? 0 : clock_now() - first;
		*oldest_s = age > 0 ? age : 0;
	}
	return TT_OK;
}
