/* faultvfs.c - "tramtin-fault": a pass-through VFS over SQLite's default
 * one, whose writes and fsyncs tests can make fail.
 *
 * Every method forwards to the real VFS (the wrapped file follows our
 * small header in the same allocation, as szOsFile allows); only xWrite
 * and xSync ask inject() first.  The shim offers exactly the io_methods
 * version the real file does, since SQLite decides on WAL (version 2:
 * shared memory) and mmap (version 3) by what is there.  Registration runs
 * once under pthread_once, so the outbox's threads and the collector's
 * store may open files concurrently; the VFS is never unregistered (open
 * connections keep a pointer to it).  Fault counters sit behind a mutex;
 * an atomic flag lets every write skip it when no test armed faults. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "tramtin/faultvfs.h"

#define VFS_NAME "tramtin-fault"

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

const char *faultvfs_register(void)
{
	pthread_once(&vfs_once, register_vfs);
	return vfs_rc == SQLITE_OK ? VFS_NAME : NULL;
}

void faultvfs_fail_writes_after(int skip, int n)
{
	pthread_mutex_lock(&fault_lock);
	fault_skip = skip > 0 ? skip : 0;
	fault_fail = n > 0 ? n : 0;
	atomic_store(&fault_armed, fault_fail > 0);
	pthread_mutex_unlock(&fault_lock);
}

struct sqlite3 *faultvfs_open_wal(const char *path, int busy_ms, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *wal = NULL;
	const char *why = NULL, *vfs = faultvfs_register();
	if (!vfs) {
		snprintf(err, errlen, "%s: cannot set up SQLite's file layer", path);
		return NULL;
	}
	/* A new file is made 0600 (citizens' words; the -wal and -shm files
	 * follow its mode) by chmod after SQLite created it, never by an
	 * open() and close() of our own: closing any descriptor of a file
	 * drops every POSIX lock this process holds on it, other
	 * connections' included, and another process would then believe it
	 * is alone and delete the WAL under them. */
	struct stat before;
	bool existed = stat(path, &before) == 0;
	bool file = strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs) !=
	    SQLITE_OK) {
		why = db ? sqlite3_errmsg(db) : "out of memory";
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	if (!existed && file)
		chmod(path, 0600); /* before the -wal and -shm files exist */
	sqlite3_busy_timeout(db, busy_ms);
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &wal, NULL) != SQLITE_OK ||
	    sqlite3_step(wal) != SQLITE_ROW) {
		why = sqlite3_errmsg(db);
		goto fail;
	}
	if (sqlite3_stricmp((const char *)sqlite3_column_text(wal, 0), "wal") != 0) {
		why = "cannot use write-ahead logging (WAL) here";
		goto fail;
	}
	sqlite3_finalize(wal);
	return db;
fail:
	snprintf(err, errlen, "%s: %s", path, why ? why : "cannot open");
	sqlite3_finalize(wal);
	sqlite3_close(db);
	return NULL;
}
