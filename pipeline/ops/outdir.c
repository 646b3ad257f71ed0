/*
 * outdir.c — lock, staging and atomic swap of the output directory (see
 * outdir.h for the design and the names used beside the target).
 *
 * Why flock(2) and not an O_EXCL lock file: an O_EXCL file outlives a
 * killed process and must then be judged stale by guessing (pid alive?
 * same host?); an flock is released by the kernel when its holder dies, so
 * the lock is exact, and the pid/host/time text in the file is only there
 * to report which run died.  The file is never unlinked (unlinking a
 * flocked file lets two processes lock two different inodes); a clean exit
 * empties it instead.
 */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

struct fr_outdir {
    char target[PATH_MAX];
    char parent[PATH_MAX];
    char base[NAME_MAX + 1];
    char lock_path[PATH_MAX + 64];
    char new_path[PATH_MAX + 64];
    char old_path[PATH_MAX + 64];
    char held_path[PATH_MAX + 64];
    int lock_fd;
    int staged, committed;
    char **keep; /* entries of the old target that firerisk did not write */
    size_t nkeep;
    /* The previous outputs' removal after a commit, on a thread of its own
     * until fr_outdir_finish or fr_outdir_close.  Why a thread: the
     * unlinks wait for the file system to free the blocks (1.4 s for the
     * 9.6 GB of the 5M-parcel city on the benchmark machine, whose ext4
     * discards freed blocks), while the run still has its memory to free;
     * a run killed meanwhile leaves old_path, which the next run removes
     * (fr_outdir_open). */
    pthread_t remover;
    int removing;      /* the thread runs, or ran and is not joined */
    int remove_errno;  /* its outcome: 0, or the errno of the failed removal */
};

/* Names every version of firerisk wrote before the manifest listed its
 * outputs: an old directory holding only these is firerisk's. */
static const char *const known_outputs[] = {
    "ranked_parcels.geojson", "ranked_parcels.shp", "ranked_parcels.shx", "ranked_parcels.dbf",
    "ranked_parcels.prj",     "ranked_parcels.cpg", "targets.csv",        "rejects.csv",
    "run_summary.txt",        "run_manifest.json",
};

/* Files other firerisk commands write into the output directory (firerisk
 * backtest: backtest.json, which later runs show in their report): kept
 * like foreign files, without a warning. */
static const char *const companions[] = {"backtest.json"};

static int is_companion(const char *name)
{
    for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++)
        if (!strcmp(companions[i], name))
            return 1;
    return 0;
}

static void note(fr_outdir_notes *notes, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(fr_outdir_notes *notes, const char *event, const char *fmt, ...)
{
    if (!notes || notes->count >= FR_OUTDIR_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    notes->event[notes->count] = event;
    vsnprintf(notes->text[notes->count++], sizeof notes->text[0], fmt, ap);
    va_end(ap);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* Removes a directory tree without following symlinks (FTW_PHYS). */
static int remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int fr_outdir_fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    /* Some file systems (e.g. certain FUSE mounts) cannot fsync a
     * directory; that is no reason to fail a run. */
    return rc != 0 && errno != EINVAL && errno != EROFS ? -1 : 0;
}

static fr_status make_parents(const char *path, fr_error *err)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return fr_error_set(err, FR_E_OUTPUT, "output path too long: %s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return fr_error_set(err, FR_E_OUTPUT, "cannot create directory %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return fr_error_set(err, FR_E_OUTPUT, "cannot create directory %s: %s", buf, strerror(errno));
    return FR_OK;
}

/* Absolute target, parent and base name; parents created when missing. */
static fr_status resolve(fr_outdir *d, const char *path, fr_error *err)
{
    char p[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof p)
        return fr_error_set(err, FR_E_USAGE, "the output directory must be a non-empty path");
    memcpy(p, path, n + 1);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    struct stat sb;
    if (stat(p, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return fr_error_set(err, FR_E_OUTPUT, "output path %s exists and is not a directory", path);
        if (!realpath(p, d->target))
            return fr_error_set(err, FR_E_OUTPUT, "cannot resolve the output directory %s: %s", path, strerror(errno));
    } else {
        if (errno != ENOENT)
            return fr_error_set(err, FR_E_OUTPUT, "cannot use the output directory %s: %s", path, strerror(errno));
        char tmp[PATH_MAX], tmp2[PATH_MAX], parent[PATH_MAX];
        memcpy(tmp, p, n + 1);
        memcpy(tmp2, p, n + 1);
        const char *dir = dirname(tmp), *base = basename(tmp2);
        fr_status st = make_parents(dir, err);
        if (st != FR_OK)
            return st;
        if (!realpath(dir, parent))
            return fr_error_set(err, FR_E_OUTPUT, "cannot resolve %s: %s", dir, strerror(errno));
        if (snprintf(d->target, sizeof d->target, "%s%s%s", parent, strcmp(parent, "/") ? "/" : "", base) >=
            (int)sizeof d->target)
            return fr_error_set(err, FR_E_OUTPUT, "output path too long: %s", path);
    }
    char tmp[PATH_MAX], tmp2[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", d->target);
    snprintf(tmp2, sizeof tmp2, "%s", d->target);
    snprintf(d->parent, sizeof d->parent, "%s", dirname(tmp));
    snprintf(d->base, sizeof d->base, "%s", basename(tmp2));
    if (!strcmp(d->target, "/") || !d->base[0] || !strcmp(d->base, "/"))
        return fr_error_set(err, FR_E_USAGE, "the output directory cannot be the root directory");
    /* Swapping away the directory a shell (or this process) stands in would
     * leave it in a deleted directory: "--out ." is refused. */
    char cwd[PATH_MAX];
    size_t tl = strlen(d->target);
    if (getcwd(cwd, sizeof cwd) && !strncmp(cwd, d->target, tl) && (cwd[tl] == '\0' || cwd[tl] == '/'))
        return fr_error_set(err, FR_E_USAGE,
                            "the output directory %s is the current directory or holds it; firerisk replaces the "
                            "output directory as a whole: give it a directory of its own (e.g. --out out)",
                            d->target);
    const char *sep = strcmp(d->parent, "/") ? "/" : "";
    if (snprintf(d->lock_path, sizeof d->lock_path, "%s%s.%s.firerisk.lock", d->parent, sep, d->base) >=
            (int)sizeof d->lock_path ||
        snprintf(d->new_path, sizeof d->new_path, "%s%s.%s.firerisk-new", d->parent, sep, d->base) >=
            (int)sizeof d->new_path ||
        snprintf(d->old_path, sizeof d->old_path, "%s%s.%s.firerisk-old", d->parent, sep, d->base) >=
            (int)sizeof d->old_path ||
        snprintf(d->held_path, sizeof d->held_path, "%s%s.%s.firerisk-held", d->parent, sep, d->base) >=
            (int)sizeof d->held_path)
        return fr_error_set(err, FR_E_OUTPUT, "output path too long: %s", path);
    return FR_OK;
}

/* The holder's "pid N / host H / started T" lines as one line for messages
 * (non-printable bytes replaced: the file could hold anything). */
static void read_lock_text(int fd, char *out, size_t size)
{
    char raw[256], *save = NULL;
    ssize_t r = pread(fd, raw, sizeof raw - 1, 0);
    raw[r > 0 ? (size_t)r : 0] = '\0';
    for (char *c = raw; *c; c++)
        if (*c != '\n' && (*c < 32 || *c > 126))
            *c = '?';
    size_t used = 0;
    out[0] = '\0';
    for (char *line = strtok_r(raw, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int w = snprintf(out + used, size - used, "%s%s", used ? ", " : "", line);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

static fr_status take_lock(fr_outdir *d, fr_outdir_notes *notes, fr_error *err)
{
    d->lock_fd = open(d->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (d->lock_fd < 0)
        return fr_error_set(err, FR_E_OUTPUT, "cannot create the lock file %s: %s", d->lock_path, strerror(errno));
    char held[400];
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        read_lock_text(d->lock_fd, held, sizeof held);
        close(d->lock_fd);
        d->lock_fd = -1;
        if (e == EWOULDBLOCK)
            return fr_error_set(err, FR_E_BUSY,
                                "output directory %s is locked by a run in progress (%s; lock file %s); "
                                "wait for it to finish or use another --out",
                                d->target, held[0] ? held : "no details", d->lock_path);
        return fr_error_set(err, FR_E_OUTPUT, "cannot lock %s: %s", d->lock_path, strerror(e));
    }
    read_lock_text(d->lock_fd, held, sizeof held);
    if (held[0])
        note(notes, "stale_lock",
             "stale lock on %s: the run that held it (%s) ended without releasing it (killed or crashed); "
             "the lock is taken over",
             d->target, held);
    char host[256] = "?", when[32] = "?", text[512];
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int len = snprintf(text, sizeof text, "pid %ld\nhost %s\nstarted %s\n", (long)getpid(), host, when);
    if (ftruncate(d->lock_fd, 0) != 0 || pwrite(d->lock_fd, text, (size_t)len, 0) != len)
        return fr_error_set(err, FR_E_OUTPUT, "cannot write the lock file %s: %s", d->lock_path, strerror(errno));
    return FR_OK;
}

/* What a killed run left: a half-written staging directory, or the old
 * outputs between the two renames of the fallback swap. */
static fr_status recover(fr_outdir *d, fr_outdir_notes *notes, fr_error *err)
{
    struct stat sb;
    if (lstat(d->new_path, &sb) == 0) {
        if (remove_tree(d->new_path) != 0)
            return fr_error_set(err, FR_E_OUTPUT, "cannot remove %s, left by an unfinished run: %s", d->new_path,
                                strerror(errno));
        note(notes, "recovered", "removed %s: the unfinished outputs of a run that was killed or crashed", d->new_path);
    }
    if (lstat(d->old_path, &sb) == 0) {
        if (lstat(d->target, &sb) == 0) {
            if (remove_tree(d->old_path) != 0)
                return fr_error_set(err, FR_E_OUTPUT, "cannot remove %s: %s", d->old_path, strerror(errno));
            note(notes, "recovered", "removed %s: previous outputs a killed run had already replaced", d->old_path);
        } else {
            if (rename(d->old_path, d->target) != 0)
                return fr_error_set(err, FR_E_OUTPUT, "cannot restore %s from %s: %s", d->target, d->old_path,
                                    strerror(errno));
            note(notes, "recovered", "restored %s from %s: a run was killed in the middle of replacing it", d->target,
                 d->old_path);
        }
    }
    return FR_OK;
}

static int in_list(char **list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], name))
            return 1;
    return 0;
}

/* Files the previous run's manifest says it wrote. */
static void manifest_outputs(const char *dir, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/run_manifest.json", dir);
    json_object *root = json_object_from_file(path), *outputs = NULL;
    if (!root)
        return;
    if (json_object_object_get_ex(root, "outputs", &outputs) && json_object_is_type(outputs, json_type_array)) {
        size_t m = json_object_array_length(outputs);
        *out = calloc(m ? m : 1, sizeof **out);
        for (size_t i = 0; *out && i < m; i++) {
            json_object *f = NULL, *item = json_object_array_get_idx(outputs, i);
            if (json_object_object_get_ex(item, "file", &f) && json_object_is_type(f, json_type_string)) {
                char *s = strdup(json_object_get_string(f));
                if (s)
                    (*out)[(*n)++] = s;
            }
        }
    }
    json_object_put(root);
}

static int is_known(const char *name, char **listed, size_t nlisted)
{
    for (size_t i = 0; i < sizeof known_outputs / sizeof known_outputs[0]; i++)
        if (!strcmp(known_outputs[i], name))
            return 1;
    /* the temporary directory of versions that staged inside the target */
    return !strncmp(name, ".firerisk-tmp-", 14) || in_list(listed, nlisted, name);
}

/* The target must be replaceable: writable, on the parent's file system,
 * and holding nothing firerisk cannot carry over.  Foreign files are
 * remembered for fr_outdir_commit. */
static fr_status check_target(fr_outdir *d, fr_outdir_notes *notes, fr_error *err)
{
    struct stat ts, ps;
    if (stat(d->target, &ts) != 0)
        return errno == ENOENT ? FR_OK
                               : fr_error_set(err, FR_E_OUTPUT, "cannot use %s: %s", d->target, strerror(errno));
    if (stat(d->parent, &ps) == 0 && ps.st_dev != ts.st_dev)
        return fr_error_set(err, FR_E_OUTPUT,
                            "output directory %s is a mount point; firerisk swaps it with a new directory built "
                            "beside it, which needs one file system: use a subdirectory of it as --out",
                            d->target);
    char **listed;
    size_t nlisted;
    manifest_outputs(d->target, &listed, &nlisted);
    DIR *dir = opendir(d->target);
    fr_status st = FR_OK;
    if (!dir)
        st = fr_error_set(err, FR_E_OUTPUT, "cannot read %s: %s", d->target, strerror(errno));
    struct dirent *e;
    size_t noted = 0;
    const char *example = NULL;
    while (st == FR_OK && (e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || is_known(e->d_name, listed, nlisted))
            continue;
        char path[PATH_MAX + NAME_MAX + 2];
        snprintf(path, sizeof path, "%s/%s", d->target, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) != 0)
            continue;
        if (!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)) {
            st = fr_error_set(err, FR_E_OUTPUT,
                              "output directory %s holds '%s', which firerisk did not write and cannot keep (not a "
                              "file); firerisk replaces the whole directory on every run, so give it a directory "
                              "of its own",
                              d->target, e->d_name);
            break;
        }
        char **k = realloc(d->keep, (d->nkeep + 1) * sizeof *k);
        if (!k || !(k[d->nkeep] = strdup(e->d_name))) {
            if (k)
                d->keep = k;
            st = fr_error_oom(err);
            break;
        }
        d->keep = k;
        if (!is_companion(e->d_name) && noted++ == 0)
            example = k[d->nkeep];
        d->nkeep++;
    }
    if (dir)
        closedir(dir);
    for (size_t i = 0; i < nlisted; i++)
        free(listed[i]);
    free(listed);
    if (st == FR_OK && noted)
        note(notes, "outputs_kept",
             "%zu file(s) in %s were not written by firerisk (e.g. '%s'); they are kept in the new outputs", noted,
             d->target, example);
    return st;
}

fr_status fr_outdir_open(const char *path, fr_outdir **out, fr_outdir_notes *notes, fr_error *err)
{
    *out = NULL;
    fr_outdir *d = calloc(1, sizeof *d);
    if (!d)
        return fr_error_oom(err);
    d->lock_fd = -1;
    fr_status st = resolve(d, path, err);
    if (st == FR_OK && access(d->parent, W_OK | X_OK) != 0)
        st = fr_error_set(err, FR_E_OUTPUT,
                          "cannot write in %s, the directory that holds the output directory (%s); firerisk builds "
                          "the new outputs beside the old ones and swaps them in",
                          d->parent, strerror(errno));
    struct stat ts;
    if (st == FR_OK && stat(d->target, &ts) == 0 && access(d->target, W_OK | X_OK) != 0)
        st = fr_error_set(err, FR_E_OUTPUT,
                          "output directory %s is not writable (%s); the previous outputs are left as they were",
                          d->target, strerror(errno));
    if (st == FR_OK)
        st = take_lock(d, notes, err);
    if (st == FR_OK)
        st = recover(d, notes, err);
    if (st == FR_OK) /* early refusal of a foreign subdirectory; the files are listed again at commit */
        st = check_target(d, NULL, err);
    if (st != FR_OK) {
        fr_outdir_close(d);
        return st;
    }
    *out = d;
    return FR_OK;
}

const char *fr_outdir_path(const fr_outdir *d)
{
    return d->target;
}

fr_status fr_outdir_staging(fr_outdir *d, const char **staging, fr_error *err)
{
    if (!d->staged) {
        remove_tree(d->new_path);
        if (mkdir(d->new_path, 0777) != 0)
            return fr_error_set(err, FR_E_OUTPUT, "cannot create %s: %s", d->new_path, strerror(errno));
        d->staged = 1;
    }
    *staging = d->new_path;
    return FR_OK;
}

/* Copies a file (when a hard link is refused, e.g. by some FUSE mounts). */
static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
    if (in >= 0)
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (in >= 0 && out >= 0) {
        char buf[1 << 16];
        ssize_t r;
        rc = 0;
        while ((r = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)r) != r) {
                rc = -1;
                break;
            }
        if (r < 0)
            rc = -1;
    }
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        rc = -1;
    return rc;
}

static fr_status carry_over(fr_outdir *d, fr_error *err)
{
    for (size_t i = 0; i < d->nkeep; i++) {
        char from[PATH_MAX + NAME_MAX + 2], to[PATH_MAX + NAME_MAX + 80];
        snprintf(from, sizeof from, "%s/%s", d->target, d->keep[i]);
        snprintf(to, sizeof to, "%s/%s", d->new_path, d->keep[i]);
        struct stat sb;
        if (lstat(to, &sb) == 0 || lstat(from, &sb) != 0)
            continue; /* written by this run, or gone since */
        int rc;
        if (S_ISLNK(sb.st_mode)) {
            char link[PATH_MAX];
            ssize_t n = readlink(from, link, sizeof link - 1);
            rc = n < 0 ? -1 : (link[n] = '\0', symlink(link, to));
        } else {
            rc = link(from, to);
            if (rc != 0)
                rc = copy_file(from, to);
        }
        if (rc != 0)
            return fr_error_set(err, FR_E_OUTPUT, "cannot keep %s in the new outputs: %s", from, strerror(errno));
    }
    return FR_OK;
}

static fr_status sync_staging(fr_outdir *d, fr_error *err)
{
    DIR *dir = opendir(d->new_path);
    if (!dir)
        return fr_error_set(err, FR_E_OUTPUT, "cannot read %s: %s", d->new_path, strerror(errno));
    fr_status st = FR_OK;
    struct dirent *e;
    while (st == FR_OK && (e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[PATH_MAX + NAME_MAX + 80];
        snprintf(path, sizeof path, "%s/%s", d->new_path, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && fr_outdir_fsync_path(path) != 0)
            st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot be flushed to disk: %s", path, strerror(errno));
    }
    closedir(dir);
    if (st == FR_OK && fr_outdir_fsync_path(d->new_path) != 0)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot be flushed to disk: %s", d->new_path, strerror(errno));
    return st;
}

fr_status fr_outdir_flush_staged(fr_outdir *d, fr_error *err)
{
    if (!d->staged)
        return fr_error_set(err, FR_E_INTERNAL, "nothing staged to flush in %s", d->target);
    DIR *dir = opendir(d->new_path);
    if (!dir)
        return fr_error_set(err, FR_E_OUTPUT, "cannot read %s: %s", d->new_path, strerror(errno));
    char (*paths)[PATH_MAX + NAME_MAX + 80] = NULL;
    size_t n = 0;
    fr_status st = FR_OK;
    struct dirent *e;
    while (st == FR_OK && (e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        void *grown = realloc(paths, (n + 1) * sizeof *paths);
        if (!grown) {
            st = fr_error_oom(err);
            break;
        }
        paths = grown;
        snprintf(paths[n++], sizeof *paths, "%s/%s", d->new_path, e->d_name);
    }
    closedir(dir);
    int *fail = st == FR_OK ? calloc(n ? n : 1, sizeof *fail) : NULL;
    if (st == FR_OK && !fail)
        st = fr_error_oom(err);
    if (st == FR_OK) {
#pragma omp parallel for schedule(dynamic, 1)
        for (size_t i = 0; i < n; i++) {
            struct stat sb;
            if (lstat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode) && fr_outdir_fsync_path(paths[i]) != 0)
                fail[i] = errno ? errno : EIO;
        }
        for (size_t i = 0; i < n && st == FR_OK; i++)
            if (fail[i])
                st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot be flushed to disk: %s", paths[i], strerror(fail[i]));
    }
    free(fail);
    free(paths);
    return st;
}

/* Swaps new and target.  Without RENAME_EXCHANGE (NFS, some FUSE): target
 * -> old, new -> target; a run killed between the two is repaired by the
 * next fr_outdir_open (recover). */
static fr_status swap(fr_outdir *d, fr_error *err)
{
    struct stat sb;
    if (lstat(d->target, &sb) != 0) {
        if (rename(d->new_path, d->target) != 0)
            return fr_error_set(err, FR_E_OUTPUT, "cannot move %s to %s: %s", d->new_path, d->target,
                                strerror(errno));
        return FR_OK;
    }
    if (renameat2(AT_FDCWD, d->new_path, AT_FDCWD, d->target, RENAME_EXCHANGE) == 0) {
        /* new_path now holds the previous outputs */
        if (rename(d->new_path, d->old_path) != 0)
            snprintf(d->old_path, sizeof d->old_path, "%s", d->new_path);
        return FR_OK;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return fr_error_set(err, FR_E_OUTPUT, "cannot swap %s into place: %s", d->target, strerror(errno));
    if (rename(d->target, d->old_path) != 0)
        return fr_error_set(err, FR_E_OUTPUT, "cannot move %s aside: %s", d->target, strerror(errno));
    if (rename(d->new_path, d->target) != 0) {
        int e = errno;
        rename(d->old_path, d->target);
        return fr_error_set(err, FR_E_OUTPUT, "cannot move %s to %s: %s", d->new_path, d->target, strerror(e));
    }
    return FR_OK;
}

/* Removes the previous outputs (the remover thread's body). */
static void *remove_old(void *arg)
{
    fr_outdir *d = arg;
    d->remove_errno = remove_tree(d->old_path) != 0 ? (errno ? errno : EIO) : 0;
    return NULL;
}

static void note_cleanup(const fr_outdir *d, fr_outdir_notes *notes)
{
    if (d->remove_errno)
        note(notes, "cleanup_failed", "the new outputs are in place, but the previous ones could not be removed from %s: %s",
             d->old_path, strerror(d->remove_errno));
}

fr_status fr_outdir_commit(fr_outdir *d, fr_outdir_notes *notes, fr_error *err)
{
    if (!d->staged)
        return fr_error_set(err, FR_E_INTERNAL, "nothing staged to publish in %s", d->target);
    /* what the target holds now (a file may have been added during the run) */
    for (size_t i = 0; i < d->nkeep; i++)
        free(d->keep[i]);
    free(d->keep);
    d->keep = NULL;
    d->nkeep = 0;
    fr_status st = check_target(d, notes, err);
    if (st == FR_OK)
        st = carry_over(d, err);
    if (st == FR_OK)
        st = sync_staging(d, err);
    if (st == FR_OK)
        st = swap(d, err);
    if (st != FR_OK)
        return st;
    d->committed = 1;
    if (fr_outdir_fsync_path(d->parent) != 0)
        return fr_error_set(err, FR_E_OUTPUT, "%s: cannot be flushed to disk: %s", d->parent, strerror(errno));
    struct stat sb;
    if (lstat(d->held_path, &sb) == 0 && remove_tree(d->held_path) == 0) /* a held run's, now superseded */
        note(notes, "held_outputs_removed", "removed %s: the outputs of an earlier run held by a quality check",
             d->held_path);
    if (pthread_create(&d->remover, NULL, remove_old, d) == 0)
        d->removing = 1;
    else /* no thread: removed here */
        remove_old(d);
    if (!d->removing)
        note_cleanup(d, notes);
    return FR_OK;
}

void fr_outdir_finish(fr_outdir *d, fr_outdir_notes *notes)
{
    if (!d || !d->removing)
        return;
    pthread_join(d->remover, NULL);
    d->removing = 0;
    note_cleanup(d, notes);
}

fr_status fr_outdir_hold(fr_outdir *d, const char **held, fr_error *err)
{
    if (!d->staged)
        return fr_error_set(err, FR_E_INTERNAL, "nothing staged to hold in %s", d->target);
    remove_tree(d->held_path); /* an earlier held run's: this one is newer */
    if (rename(d->new_path, d->held_path) != 0)
        return fr_error_set(err, FR_E_OUTPUT, "cannot keep the held outputs as %s: %s", d->held_path,
                            strerror(errno));
    d->staged = 0;
    *held = d->held_path;
    return FR_OK;
}

void fr_outdir_close(fr_outdir *d)
{
    if (!d)
        return;
    fr_outdir_notes ignored = {0}; /* told by fr_outdir_finish, for those who want it */
    fr_outdir_finish(d, &ignored);  /* the lock is held until the old outputs are gone */
    if (d->staged && !d->committed)
        remove_tree(d->new_path);
    if (d->lock_fd >= 0) {
        /* empty = released cleanly; then the kernel drops the flock */
        if (ftruncate(d->lock_fd, 0) != 0) {
            /* nothing to do: the next run reports a stale lock, harmless */
        }
        close(d->lock_fd);
    }
    for (size_t i = 0; i < d->nkeep; i++)
        free(d->keep[i]);
    free(d->keep);
    free(d);
}
