/*
 * test_gpkg_vfs.c — the direct-I/O VFS of the GeoPackage writer
 * (geo/write/gpkg_vfs.h): a database built through it, with a cache so
 * small that SQLite keeps letting pages go and reading them back, rewriting
 * pages whose earlier copies are still pending, is byte for byte the one
 * SQLite's own VFS builds, and passes SQLite's integrity check; what it
 * wrote is not left in the page cache (where the file system takes
 * O_DIRECT); a write that fails on the disk is reported, not lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "gpkg_vfs.h"

static char g_dir[256];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/test_gpkg_vfs_XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* A blob of n deterministic bytes for row k. */
static void fill(unsigned char *b, int n, int k)
{
    for (int i = 0; i < n; i++)
        b[i] = (unsigned char)((k * 2654435761u + (unsigned)i * 40503u) >> 13);
}

/* The same work through vfs (NULL: SQLite's own): the GeoPackage writer's
 * settings with `cache` pages of cache, rows of 50 to 3,050 bytes in a
 * table with an index (two B-trees growing at once), then every 7th row
 * rewritten and every 11th deleted (pages written before, let go and read
 * back, while copies of them may still be pending).  Returns SQLite's
 * status; *finish: geo_gpkg_vfs_finish's errno. */
static int build(const char *path, const char *vfs, int rows, int cache, int *finish)
{
    unlink(path);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    assert_int_equal(rc, SQLITE_OK);
    char sql[256];
    snprintf(sql, sizeof sql,
             "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
             "PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = %d;",
             cache);
    exec_ok(db, sql);
    exec_ok(db, "BEGIN; CREATE TABLE t (id INTEGER PRIMARY KEY, tag TEXT, v BLOB);"
                "CREATE INDEX t_tag ON t (tag);");
    sqlite3_stmt *ins = NULL, *upd = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?)", -1, &ins, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE t SET v = ?, tag = ? WHERE id = ?", -1, &upd, NULL),
                     SQLITE_OK);
    static unsigned char blob[3100];
    for (int k = 0; k < rows && rc == SQLITE_OK; k++) {
        int n = 50 + (int)((unsigned)k * 7919u % 3000u);
        fill(blob, n, k);
        char tag[32];
        snprintf(tag, sizeof tag, "tag-%08u", (unsigned)k * 2654435761u);
        sqlite3_bind_int(ins, 1, k);
        sqlite3_bind_text(ins, 2, tag, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(ins, 3, blob, n, SQLITE_TRANSIENT);
        rc = sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
        sqlite3_reset(ins);
    }
    for (int k = 0; k < rows && rc == SQLITE_OK; k += 7) {
        int n = 20 + (int)((unsigned)k * 104729u % 3000u);
        fill(blob, n, k + 1);
        char tag[32];
        snprintf(tag, sizeof tag, "re-%08d", k);
        sqlite3_bind_blob(upd, 1, blob, n, SQLITE_TRANSIENT);
        sqlite3_bind_text(upd, 2, tag, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(upd, 3, k);
        rc = sqlite3_step(upd) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
        sqlite3_reset(upd);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "DELETE FROM t WHERE id % 11 = 3; COMMIT", NULL, NULL, NULL);
    *finish = geo_gpkg_vfs_finish(db);
    sqlite3_close(db);
    return rc;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)size + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)size, fp), (size_t)size);
    fclose(fp);
    *n = (size_t)size;
    return b;
}

static void assert_intact(const char *path, int rows)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int expect = 0;
    for (int k = 0; k < rows; k++)
        expect += k % 11 != 3;
    assert_int_equal(sqlite3_column_int(s, 0), expect);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* 1 if the file system of dir takes O_DIRECT. */
static int takes_direct(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECT);
    if (fd >= 0)
        close(fd);
    return fd >= 0;
}

/* The share of path's pages in the page cache. */
static double cached_share(const char *path)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct stat sb;
    assert_int_equal(fstat(fd, &sb), 0);
    size_t len = (size_t)sb.st_size, page = (size_t)sysconf(_SC_PAGESIZE), pages = (len + page - 1) / page;
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    assert_true(m != MAP_FAILED);
    unsigned char *vec = malloc(pages);
    assert_non_null(vec);
    assert_int_equal(mincore(m, len, vec), 0);
    size_t in = 0;
    for (size_t k = 0; k < pages; k++)
        in += vec[k] & 1;
    free(vec);
    munmap(m, len);
    close(fd);
    return (double)in / (double)pages;
}

static void test_same_bytes_as_sqlites_own(void **state)
{
    (void)state;
    const char *vfs = geo_gpkg_vfs_direct();
    assert_non_null(vfs);
    assert_non_null(sqlite3_vfs_find(vfs));
    assert_ptr_not_equal(sqlite3_vfs_find(NULL), sqlite3_vfs_find(vfs)); /* not made the default */
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/own.db", g_dir);
    snprintf(b, sizeof b, "%s/direct.db", g_dir);
    enum { ROWS = 12000 }; /* ~20 MB: 20 segments, most of them let go by a 16-page cache */
    int fa = -1, fb = -1;
    assert_int_equal(build(a, NULL, ROWS, 16, &fa), SQLITE_OK);
    assert_int_equal(build(b, vfs, ROWS, 16, &fb), SQLITE_OK);
    assert_int_equal(fa, 0); /* SQLite's own file: nothing of the VFS's to finish */
    assert_int_equal(fb, 0);
    size_t na, nb;
    unsigned char *x = slurp(a, &na), *y = slurp(b, &nb);
    assert_true(na > 16u << 20);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    free(x);
    free(y);
    assert_intact(b, ROWS);
}

/* Appended with the writer's own cache (64 MB, more than this file), as
 * the GeoPackage's rows are: the pages went to the disk, not into the page
 * cache (SQLite read few of them back). */
static void test_pages_stay_out_of_the_cache(void **state)
{
    (void)state;
    char p[512];
    snprintf(p, sizeof p, "%s/cache.db", g_dir);
    int e = -1;
    assert_int_equal(build(p, geo_gpkg_vfs_direct(), 12000, -65536, &e), SQLITE_OK);
    assert_int_equal(e, 0);
    assert_intact(p, 12000);
    if (!takes_direct(p)) {
        print_message("  skipped the cache check: %s does not take O_DIRECT\n", g_dir);
        return;
    }
    int fd = open(p, O_RDONLY);
    assert_true(fd >= 0);
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); /* what the integrity check read */
    close(fd);
    assert_int_equal(build(p, geo_gpkg_vfs_direct(), 12000, -65536, &e), SQLITE_OK);
    double share = cached_share(p);
    if (share > 0.1)
        fail_msg("%.0f %% of the file is in the page cache", 100 * share);
}

/* A disk that refuses the bytes (here the file size limit: EFBIG) fails
 * the statement that wrote them, or the finish after the commit: the
 * failure is not lost with the writes in flight.  In a process of its own
 * (this program again, with --limited), whose limit ends with it: not a
 * fork of this one, whose POSIX AIO helper threads a fork would not copy
 * (glibc's AIO would then wait for them for ever). */
static int limited_child(const char *path)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {4u << 20, 4u << 20};
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
        return 3;
    int e = 0;
    int rc = build(path, geo_gpkg_vfs_direct(), 12000, 16, &e);
    if ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR)
        return 0; /* refused at a statement, as SQLite's own VFS refuses */
    if (rc == SQLITE_OK && e == EFBIG)
        return 0; /* refused at the finish, with the errno */
    fprintf(stderr, "limited: SQLite %d, finish errno %d\n", rc, e);
    return 1;
}

static void test_failed_writes_are_reported(void **state)
{
    (void)state;
    char p[512];
    snprintf(p, sizeof p, "%s/limited.db", g_dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/proc/self/exe", "test_gpkg_vfs", "--limited", p, (char *)NULL);
        _exit(4);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--limited"))
        return limited_child(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes_as_sqlites_own),
        cmocka_unit_test(test_pages_stay_out_of_the_cache),
        cmocka_unit_test(test_failed_writes_are_reported),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
