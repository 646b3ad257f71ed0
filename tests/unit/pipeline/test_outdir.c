/*
 * test_outdir.c — the output directory: a first run creates it, a commit
 * replaces the whole set (firerisk's stale files go, foreign files stay), a
 * run that does not commit leaves the previous outputs byte-identical, a
 * held lock refuses a second writer with FR_E_BUSY naming the holder, a
 * stale lock and a killed run's leftovers are reported and cleaned up, an
 * interrupted fallback swap is restored, and paths that must not be
 * replaced (a file, a foreign subdirectory, /) are refused.  A file's
 * digest taken when its writer finished stands for it only while its name,
 * size and modification time are the same.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>
#include <cmocka.h>

#include "filehash.h"
#include "outdir.h"

static char root[256];

static void path_of(char *out, size_t size, const char *rel)
{
    snprintf(out, size, "%s/%s", root, rel);
}

static void write_file(const char *rel, const char *text)
{
    char p[512];
    path_of(p, sizeof p, rel);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static char *read_file(const char *rel)
{
    static char buf[4096];
    char p[512];
    path_of(p, sizeof p, rel);
    FILE *fp = fopen(p, "r");
    if (!fp)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int exists(const char *rel)
{
    char p[512];
    struct stat sb;
    path_of(p, sizeof p, rel);
    return lstat(p, &sb) == 0;
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/test_outdir.XXXXXX");
    assert_non_null(mkdtemp(root));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* One whole run: open, stage one file per (name, text), commit, close. */
static fr_status publish(const char *rel, const char *const *files, fr_outdir_notes *notes, fr_error *err)
{
    char target[512];
    path_of(target, sizeof target, rel);
    fr_outdir *d;
    fr_status st = fr_outdir_open(target, &d, notes, err);
    if (st != FR_OK)
        return st;
    const char *staging;
    st = fr_outdir_staging(d, &staging, err);
    for (size_t i = 0; st == FR_OK && files[i]; i += 2) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", staging, files[i]);
        FILE *fp = fopen(p, "w");
        assert_non_null(fp);
        fputs(files[i + 1], fp);
        fclose(fp);
    }
    if (st == FR_OK)
        st = fr_outdir_commit(d, notes, err);
    fr_outdir_close(d);
    return st;
}

static void first_run_creates_parents_and_publishes(void **state)
{
    (void)state;
    const char *files[] = {"targets.csv", "v1", NULL};
    fr_outdir_notes notes = {0};
    fr_error err = {0};
    assert_int_equal(publish("a/b/out", files, &notes, &err), FR_OK);
    assert_string_equal(read_file("a/b/out/targets.csv"), "v1");
    assert_false(exists("a/b/.out.firerisk-new"));
    assert_false(exists("a/b/.out.firerisk-old"));
    assert_string_equal(read_file("a/b/.out.firerisk.lock"), ""); /* released cleanly */
    assert_int_equal(notes.count, 0);
}

static void commit_replaces_the_set_and_keeps_foreign_files(void **state)
{
    (void)state;
    const char *v1[] = {"targets.csv", "v1", "ranked_parcels.geojson", "g1", NULL};
    const char *v2[] = {"targets.csv", "v2", NULL};
    fr_outdir_notes notes = {0};
    fr_error err = {0};
    assert_int_equal(publish("out", v1, &notes, &err), FR_OK);
    write_file("out/notes.txt", "mine");
    assert_int_equal(publish("out", v2, &notes, &err), FR_OK);
    assert_string_equal(read_file("out/targets.csv"), "v2");
    assert_false(exists("out/ranked_parcels.geojson")); /* firerisk's own, not written this time */
    assert_string_equal(read_file("out/notes.txt"), "mine");
    assert_int_equal(notes.count, 1);
    assert_string_equal(notes.event[0], "outputs_kept");
}

/* The previous outputs are removed behind the commit, on a thread of
 * their own: once fr_outdir_finish returns they are gone, without a note;
 * until fr_outdir_close the lock is still held, so that no other run
 * starts while they are being removed. */
static void previous_outputs_removed_behind_the_commit(void **state)
{
    (void)state;
    const char *v1[] = {"targets.csv", "v1", "ranked_parcels.geojson", "g1", NULL};
    fr_outdir_notes notes = {0};
    fr_error err = {0};
    assert_int_equal(publish("out", v1, &notes, &err), FR_OK);
    char target[512];
    path_of(target, sizeof target, "out");
    fr_outdir *d, *other;
    assert_int_equal(fr_outdir_open(target, &d, &notes, &err), FR_OK);
    const char *staging;
    assert_int_equal(fr_outdir_staging(d, &staging, &err), FR_OK);
    char p[1024];
    snprintf(p, sizeof p, "%s/targets.csv", staging);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("v2", fp);
    fclose(fp);
    assert_int_equal(fr_outdir_commit(d, &notes, &err), FR_OK);
    assert_string_equal(read_file("out/targets.csv"), "v2"); /* published before the old ones are gone */
    fr_outdir_finish(d, &notes);
    assert_false(exists(".out.firerisk-old"));
    assert_int_equal(notes.count, 0);
    assert_int_equal(fr_outdir_open(target, &other, NULL, &err), FR_E_BUSY);
    fr_outdir_finish(d, &notes); /* once is enough: nothing more to wait for */
    fr_outdir_close(d);
    assert_int_equal(fr_outdir_open(target, &other, NULL, &err), FR_OK);
    fr_outdir_close(other);
    assert_false(exists("out/ranked_parcels.geojson"));
}

static void uncommitted_run_leaves_previous_outputs(void **state)
{
    (void)state;
    const char *v1[] = {"targets.csv", "v1", NULL};
    fr_error err = {0};
    assert_int_equal(publish("out", v1, NULL, &err), FR_OK);
    char target[512];
    path_of(target, sizeof target, "out");
    fr_outdir *d;
    assert_int_equal(fr_outdir_open(target, &d, NULL, &err), FR_OK);
    const char *staging;
    assert_int_equal(fr_outdir_staging(d, &staging, &err), FR_OK);
    write_file(".out.firerisk-new/targets.csv", "half");
    fr_outdir_close(d); /* a failed run */
    assert_string_equal(read_file("out/targets.csv"), "v1");
    assert_false(exists(".out.firerisk-new"));
}

static void held_lock_refuses_a_second_writer(void **state)
{
    (void)state;
    char target[512];
    path_of(target, sizeof target, "out");
    fr_outdir *d1, *d2;
    fr_error err = {0};
    assert_int_equal(fr_outdir_open(target, &d1, NULL, &err), FR_OK);
    assert_int_equal(fr_outdir_open(target, &d2, NULL, &err), FR_E_BUSY);
    char pid[32];
    snprintf(pid, sizeof pid, "pid %ld", (long)getpid());
    assert_non_null(strstr(err.message, "is locked by a run in progress"));
    assert_non_null(strstr(err.message, pid));
    fr_outdir_close(d1);
    assert_int_equal(fr_outdir_open(target, &d2, NULL, &err), FR_OK);
    fr_outdir_close(d2);
}

static void stale_lock_and_leftovers_are_reported_and_cleaned(void **state)
{
    (void)state;
    const char *v1[] = {"targets.csv", "v1", NULL};
    fr_error err = {0};
    assert_int_equal(publish("out", v1, NULL, &err), FR_OK);
    /* a run killed while writing: its lock text and staging directory remain */
    write_file(".out.firerisk.lock", "pid 999999\nhost h\nstarted 2026-01-01T00:00:00Z\n");
    char p[512];
    path_of(p, sizeof p, ".out.firerisk-new");
    assert_int_equal(mkdir(p, 0777), 0);
    write_file(".out.firerisk-new/targets.csv", "half");
    fr_outdir_notes notes = {0};
    const char *v2[] = {"targets.csv", "v2", NULL};
    assert_int_equal(publish("out", v2, &notes, &err), FR_OK);
    assert_int_equal(notes.count, 2);
    assert_string_equal(notes.event[0], "stale_lock");
    assert_non_null(strstr(notes.text[0], "pid 999999, host h, started 2026-01-01T00:00:00Z"));
    assert_string_equal(notes.event[1], "recovered");
    assert_string_equal(read_file("out/targets.csv"), "v2");
}

static void interrupted_fallback_swap_is_restored(void **state)
{
    (void)state;
    const char *v1[] = {"targets.csv", "v1", NULL};
    fr_error err = {0};
    assert_int_equal(publish("out", v1, NULL, &err), FR_OK);
    char a[512], b[512];
    path_of(a, sizeof a, "out");
    path_of(b, sizeof b, ".out.firerisk-old");
    assert_int_equal(rename(a, b), 0); /* killed between the two renames */
    fr_outdir *d;
    fr_outdir_notes notes = {0};
    assert_int_equal(fr_outdir_open(a, &d, &notes, &err), FR_OK);
    fr_outdir_close(d);
    assert_string_equal(read_file("out/targets.csv"), "v1");
    assert_int_equal(notes.count, 1);
    assert_non_null(strstr(notes.text[0], "restored"));
}

static void refuses_what_must_not_be_replaced(void **state)
{
    (void)state;
    fr_outdir *d = NULL;
    fr_error err = {0};
    char p[512];
    write_file("afile", "x");
    path_of(p, sizeof p, "afile");
    assert_int_equal(fr_outdir_open(p, &d, NULL, &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, "exists and is not a directory"));
    path_of(p, sizeof p, "home");
    assert_int_equal(mkdir(p, 0777), 0);
    path_of(p, sizeof p, "home/projects");
    assert_int_equal(mkdir(p, 0777), 0);
    path_of(p, sizeof p, "home");
    assert_int_equal(fr_outdir_open(p, &d, NULL, &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, "holds 'projects', which firerisk did not write"));
    assert_true(exists("home/projects"));
    assert_int_equal(fr_outdir_open("/", &d, NULL, &err), FR_E_USAGE);
    assert_null(d);
}

static void symlinked_target_is_followed(void **state)
{
    (void)state;
    char real[512], link[512];
    path_of(real, sizeof real, "real");
    path_of(link, sizeof link, "link");
    assert_int_equal(mkdir(real, 0777), 0);
    assert_int_equal(symlink(real, link), 0);
    const char *v1[] = {"targets.csv", "v1", NULL};
    fr_error err = {0};
    assert_int_equal(publish("link", v1, NULL, &err), FR_OK);
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    assert_string_equal(read_file("real/targets.csv"), "v1");
}

static void early_digest_stands_only_for_the_same_file(void **state)
{
    (void)state;
    char p[4200], hex[65];
    snprintf(p, sizeof p, "%s/layer.geojson", root);
    write_file("layer.geojson", "{\"type\": \"FeatureCollection\"}\n");
    fr_file_digest d;
    assert_int_equal(fr_file_digest_take(root, "layer.geojson", &d), 0);
    assert_int_equal(fr_sha256_file(p, hex), 0);
    assert_string_equal(d.hex, hex);
    assert_true(fr_file_digest_valid(&d, "layer.geojson", p));
    assert_false(fr_file_digest_valid(&d, "other.geojson", p));
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    write_file("layer.geojson", "{\"type\": \"FeatureCollection\"}\n"); /* same bytes, written again */
    assert_false(fr_file_digest_valid(&d, "layer.geojson", p));
    fr_file_digest none = {0};
    assert_false(fr_file_digest_valid(&none, "", p));
    assert_int_equal(fr_file_digest_take(root, "missing.gpkg", &d), -1);
    assert_false(d.taken);
}

/* A file hashed with direct reads (fr_sha256_file_uncached: 4 MiB reads
 * taking turns) has the digest of the page cache's read, whatever its size
 * against the reads and the file system's blocks: empty, one byte, one
 * block, one read exactly, a byte past it, several reads and a tail; and
 * taken so (fr_file_digest_take_uncached) it is the same digest. */
static void uncached_digest_is_the_files(void **state)
{
    (void)state;
    static const long sizes[] = {0, 1, 4096, 4L << 20, (4L << 20) + 1, (9L << 20) + 123};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char p[4200], plain[65], direct[65];
        snprintf(p, sizeof p, "%s/uncached.gpkg", root);
        FILE *fp = fopen(p, "wb");
        assert_non_null(fp);
        for (long i = 0; i < sizes[k]; i++)
            fputc((int)((i * 131 + i / 4099) & 0xff), fp);
        assert_int_equal(fclose(fp), 0);
        assert_int_equal(fr_sha256_file(p, plain), 0);
        assert_int_equal(fr_sha256_file_uncached(p, direct), 0);
        assert_string_equal(direct, plain);
        fr_file_digest d;
        assert_int_equal(fr_file_digest_take_uncached(root, "uncached.gpkg", &d), 0);
        assert_string_equal(d.hex, plain);
        assert_int_equal(d.size, sizes[k]);
    }
    char missing[4200], hex[65];
    snprintf(missing, sizeof missing, "%s/missing.gpkg", root);
    assert_int_equal(fr_sha256_file_uncached(missing, hex), -1);
    assert_string_equal(hex, "");
}

/* A file hashed in pieces as its writer writes them (the tap's
 * fr_sha256_pieces_add_bytes) has the digest of the whole file, whatever
 * the cuts, an empty piece among them. */
static void digest_in_pieces_is_the_whole_files(void **state)
{
    (void)state;
    char p[4200], whole[65], pieces[65];
    snprintf(p, sizeof p, "%s/pieces.dbf", root);
    enum { SIZE = 3000000 };
    unsigned char *bytes = malloc(SIZE);
    assert_non_null(bytes);
    for (int k = 0; k < SIZE; k++)
        bytes[k] = (unsigned char)((k * 7 + k / 1000) & 0xff);
    FILE *fp = fopen(p, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, SIZE, fp), SIZE);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(fr_sha256_file(p, whole), 0);
    static const long long cuts[][4] = {{0, 1, SIZE - 1, SIZE}, {0, 1048576, 2097152, SIZE}, {0, 0, 1500001, SIZE}};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        fr_sha256_pieces *s = fr_sha256_pieces_new();
        assert_non_null(s);
        for (int k = 0; k < 3; k++)
            fr_sha256_pieces_add_bytes(s, bytes + cuts[c][k], (size_t)(cuts[c][k + 1] - cuts[c][k]));
        fr_sha256_pieces_end(s, pieces);
        assert_string_equal(pieces, whole);
    }
    fr_sha256_pieces *s = fr_sha256_pieces_new();
    assert_non_null(s);
    fr_sha256_pieces_add_bytes(s, bytes, SIZE - 1); /* one byte short: not the file's digest */
    fr_sha256_pieces_end(s, pieces);
    assert_string_not_equal(pieces, whole);
    fr_sha256_pieces_free(NULL);
    free(bytes);
    unlink(p);
}

/* A digest its writer took (fr_file_digest_known) stands for the file as
 * one read back does, with the file's size and time now. */
static void known_digest_stands_as_taken(void **state)
{
    (void)state;
    char p[4200];
    snprintf(p, sizeof p, "%s/known.geojson", root);
    write_file("known.geojson", "{\"type\": \"FeatureCollection\"}\n");
    fr_file_digest taken, known;
    assert_int_equal(fr_file_digest_take(root, "known.geojson", &taken), 0);
    assert_int_equal(fr_file_digest_known(root, "known.geojson", taken.hex, &known), 0);
    assert_string_equal(known.hex, taken.hex);
    assert_true(known.size == taken.size && known.mtime_ns == taken.mtime_ns);
    assert_true(fr_file_digest_valid(&known, "known.geojson", p));
    char short_hex[65] = "abc"; /* not a digest */
    assert_int_equal(fr_file_digest_known(root, "known.geojson", short_hex, &known), -1);
    assert_false(known.taken);
    assert_int_equal(fr_file_digest_known(root, "missing.geojson", taken.hex, &known), -1);
    unlink(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_run_creates_parents_and_publishes, setup, teardown),
        cmocka_unit_test_setup_teardown(commit_replaces_the_set_and_keeps_foreign_files, setup, teardown),
        cmocka_unit_test_setup_teardown(previous_outputs_removed_behind_the_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(uncommitted_run_leaves_previous_outputs, setup, teardown),
        cmocka_unit_test_setup_teardown(held_lock_refuses_a_second_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_lock_and_leftovers_are_reported_and_cleaned, setup, teardown),
        cmocka_unit_test_setup_teardown(interrupted_fallback_swap_is_restored, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_what_must_not_be_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(symlinked_target_is_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(early_digest_stands_only_for_the_same_file, setup, teardown),
        cmocka_unit_test_setup_teardown(uncached_digest_is_the_files, setup, teardown),
        cmocka_unit_test_setup_teardown(digest_in_pieces_is_the_whole_files, setup, teardown),
        cmocka_unit_test_setup_teardown(known_digest_stands_as_taken, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
