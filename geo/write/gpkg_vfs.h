/*
 * gpkg_vfs.h — a SQLite VFS that writes a database's pages with direct I/O
 * (O_DIRECT), past the page cache, for the GeoPackage writer (gpkg_db.c);
 * room-internal.
 *
 * Why: the ranked GeoPackage is the run's largest file (2 GB at 5M
 * parcels).  Through SQLite's own VFS every page went into the page cache,
 * and on the benchmark machine, a VM that gives free memory back to its
 * host, each page of the page cache is a fresh page: at 5M parcels the
 * copies into the cache (pwrite) were 30 % of the GeoPackage writer's
 * thread, 7.5 of its 25 s, against 0.2 s at 1M (out_direct.h has the same
 * story for the GeoJSON and Shapefile).
 *
 * How: the main database file is opened a second time with O_DIRECT.
 * Whole aligned blocks that SQLite writes are gathered into 1 MiB segments
 * of the file (aligned buffers) and handed to the disk with POSIX AIO, a
 * few segments in flight while SQLite goes on.  Everything else goes
 * through SQLite's own VFS as before, after every pending write is done:
 * a write that is not whole aligned blocks, every read that touches a
 * pending segment, truncate and sync.  A segment written again while an
 * earlier copy of it is in flight waits for that copy first, so the later
 * bytes land last.  Reads go through the page cache (few: SQLite reads
 * back only pages its own cache let go), which the kernel keeps coherent
 * with the direct writes.
 *
 * Where O_DIRECT is refused (EINVAL at open or at a write), the file goes
 * on through the page cache; nothing is lost or written twice.  A failed
 * direct write is sticky: every later write fails (SQLITE_FULL for a full
 * disk, else SQLITE_IOERR_WRITE), and geo_gpkg_vfs_finish reports it.
 */
#ifndef GEO_GPKG_VFS_H
#define GEO_GPKG_VFS_H

#include <sqlite3.h>

/* The name of the VFS for sqlite3_open_v2, registered (not as the
 * default) on the first call; NULL if SQLite refused it (then open the
 * file without it).  Thread-safe. */
const char *geo_gpkg_vfs_direct(void);

/* Waits for every write of db's main file still pending in the VFS and
 * returns the errno of the first that failed, 0 if none did or the file
 * is not opened through this VFS.  For the writer before it closes: SQLite
 * ignores a failure at close. */
int geo_gpkg_vfs_finish(sqlite3 *db);

#endif
