/*
 * changes.c — target list changes since the previous run (see changes.h).
 *
 * The previous list is firerisk's own targets.csv, so a small RFC 4180
 * reader (quotes, doubled quotes, CRLF, newlines inside quotes) is all that
 * is needed; a CSV library or GDAL's CSV driver would bring type guessing
 * and options for a file whose three columns we know.  Membership tests
 * sort the ids once and binary-search them.
 */
#include "changes.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "write.h"

#define MAX_PREVIOUS_BYTES (2ULL << 30) /* a target list is far smaller; refuse nonsense */

typedef struct {
    char **f;
    size_t n, cap;
} record;

static void record_clear(record *r)
{
    for (size_t k = 0; k < r->n; k++)
        free(r->f[k]);
    r->n = 0;
}

static int record_push(record *r, const char *s, size_t len)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        char **f = realloc(r->f, cap * sizeof *f);
        if (!f)
            return -1;
        r->f = f;
        r->cap = cap;
    }
    char *v = malloc(len + 1);
    if (!v)
        return -1;
    memcpy(v, s, len);
    v[len] = '\0';
    r->f[r->n++] = v;
    return 0;
}

/* Reads one record starting at *pos; returns 1 with a record, 0 at the end,
 * -1 out of memory, -2 malformed (unterminated quote). */
static int next_record(const char *buf, size_t size, size_t *pos, record *r, char *scratch)
{
    record_clear(r);
    size_t i = *pos;
    if (i >= size)
        return 0;
    for (;;) {
        size_t len = 0;
        if (i < size && buf[i] == '"') {
            i++;
            for (;;) {
                if (i >= size)
                    return -2;
                if (buf[i] == '"') {
                    if (i + 1 < size && buf[i + 1] == '"') {
                        scratch[len++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                scratch[len++] = buf[i++];
            }
            while (i < size && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r')
                scratch[len++] = buf[i++]; /* tolerated: text after the closing quote */
        } else {
            while (i < size && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r')
                scratch[len++] = buf[i++];
        }
        if (record_push(r, scratch, len) != 0)
            return -1;
        if (i < size && buf[i] == ',') {
            i++;
            continue;
        }
        if (i < size && buf[i] == '\r')
            i++;
        if (i < size && buf[i] == '\n')
            i++;
        *pos = i;
        return 1;
    }
}

typedef struct {
    char *id, *address;
    long rank;
    double score;
} prev_row;

typedef struct {
    prev_row *rows;
    size_t n, cap;
} prev_list;

static void prev_free(prev_list *p)
{
    for (size_t k = 0; k < p->n; k++) {
        free(p->rows[k].id);
        free(p->rows[k].address);
    }
    free(p->rows);
    memset(p, 0, sizeof *p);
}

static int find_col(const record *h, const char *name)
{
    for (size_t k = 0; k < h->n; k++) {
        const char *s = h->f[k];
        if (k == 0 && !strncmp(s, "\xEF\xBB\xBF", 3))
            s += 3; /* a BOM from a spreadsheet that re-saved the file */
        if (!strcmp(s, name))
            return (int)k;
    }
    return -1;
}

/* Reads the previous list.  Returns FR_OK with had = 0 and a note when
 * there is none usable; FR_E_MEMORY otherwise. */
static fr_status read_previous(const char *path, prev_list *out, int *had, char *note, size_t note_size,
                               fr_error *err)
{
    *had = 0;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(note, note_size, errno == ENOENT ? "no previous target list (first run): every target is new"
                                                  : "previous target list unreadable (%s): every target counted as new",
                 strerror(errno));
        return FR_OK;
    }
    if (!S_ISREG(sb.st_mode) || (unsigned long long)sb.st_size > MAX_PREVIOUS_BYTES) {
        snprintf(note, note_size, "previous target list is not a regular file of sensible size: every target counted as new");
        return FR_OK;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(note, note_size, "previous target list unreadable (%s): every target counted as new", strerror(errno));
        return FR_OK;
    }
    size_t size = (size_t)sb.st_size;
    char *buf = malloc(size ? size : 1), *scratch = malloc(size + 1);
    if (!buf || !scratch) {
        fclose(fp);
        free(buf);
        free(scratch);
        return fr_error_oom_while(err, "reading %s", path);
    }
    size_t got = fread(buf, 1, size, fp);
    fclose(fp);
    fr_status st = FR_OK;
    record rec = {0};
    size_t pos = 0;
    int rc = got == size ? next_record(buf, size, &pos, &rec, scratch) : -3;
    int c_id = -1, c_rank = -1, c_score = -1, c_addr = -1;
    if (rc == 1) {
        c_id = find_col(&rec, "parcel_id");
        c_rank = find_col(&rec, "rank");
        c_score = find_col(&rec, "score");
        c_addr = find_col(&rec, "address");
    }
    if (rc != 1 || c_id < 0) {
        if (rc == -1)
            st = fr_error_oom_while(err, "reading %s", path);
        snprintf(note, note_size, "previous target list %s: every target counted as new",
                 rc == 1 ? "has no parcel_id column" : "is empty or unreadable");
        goto done;
    }
    while ((rc = next_record(buf, size, &pos, &rec, scratch)) == 1) {
        if (rec.n == 1 && !rec.f[0][0])
            continue; /* blank line */
        if ((size_t)c_id >= rec.n || !rec.f[c_id][0])
            continue;
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 256;
            prev_row *r = realloc(out->rows, cap * sizeof *r);
            if (!r) {
                rc = -1;
                break;
            }
            out->rows = r;
            out->cap = cap;
        }
        prev_row *p = &out->rows[out->n];
        p->id = strdup(rec.f[c_id]);
        p->address = c_addr >= 0 && (size_t)c_addr < rec.n && rec.f[c_addr][0] ? strdup(rec.f[c_addr]) : NULL;
        p->rank = c_rank >= 0 && (size_t)c_rank < rec.n ? strtol(rec.f[c_rank], NULL, 10) : (long)out->n + 1;
        p->score = c_score >= 0 && (size_t)c_score < rec.n && rec.f[c_score][0] ? strtod(rec.f[c_score], NULL) : NAN;
        if (!p->id) {
            free(p->address);
            rc = -1;
            break;
        }
        out->n++;
    }
    if (rc == -1) {
        st = fr_error_oom_while(err, "reading %s", path);
    } else if (rc == -2) {
        snprintf(note, note_size, "previous target list is malformed (unterminated quote): every target counted as new");
        prev_free(out);
    } else {
        *had = 1;
    }
done:
    record_clear(&rec);
    free(rec.f);
    free(buf);
    free(scratch);
    return st;
}

static int cmp_index(const void *a, const void *b, void *ids)
{
    const char *const *v = ids;
    return strcmp(v[*(const size_t *)a], v[*(const size_t *)b]);
}

/* Position of id among ids[idx[0..n-1]] (sorted), or -1. */
static long search(const char *const *ids, const size_t *idx, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ids[idx[mid]], id);
        if (c == 0)
            return (long)idx[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int cmp_left(const void *a, const void *b)
{
    const fr_change *x = a, *y = b;
    if (x->previous_rank != y->previous_rank)
        return x->previous_rank < y->previous_rank ? -1 : 1;
    return strcmp(x->parcel_id, y->parcel_id);
}

fr_status fr_changes_compute(const char *previous_csv, const fr_changes_current *cur, fr_changes *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    prev_list prev = {0};
    fr_status st = read_previous(previous_csv, &prev, &out->had_previous, out->note, sizeof out->note, err);
    if (st != FR_OK)
        return st;
    out->previous_rows = prev.n;
    out->current_rows = cur->nrows;
    size_t np = prev.n, nc = cur->nrows;
    const char **prev_ids = malloc((np ? np : 1) * sizeof *prev_ids);
    const char **cur_ids = malloc((nc ? nc : 1) * sizeof *cur_ids);
    size_t *pidx = malloc((np ? np : 1) * sizeof *pidx), *cidx = malloc((nc ? nc : 1) * sizeof *cidx);
    out->items = calloc(np + nc ? np + nc : 1, sizeof *out->items);
    if (!prev_ids || !cur_ids || !pidx || !cidx || !out->items) {
        st = fr_error_oom_while(err, "comparing target lists");
        goto done;
    }
    for (size_t k = 0; k < np; k++) {
        prev_ids[k] = prev.rows[k].id;
        pidx[k] = k;
    }
    for (size_t k = 0; k < nc; k++) {
        cur_ids[k] = cur->id[cur->rows[k]] ? cur->id[cur->rows[k]] : "";
        cidx[k] = k;
    }
    qsort_r(pidx, np, sizeof *pidx, cmp_index, prev_ids);
    qsort_r(cidx, nc, sizeof *cidx, cmp_index, cur_ids);

    /* Entered: on the current list, not on the previous one (list order = rank order). */
    for (size_t k = 0; k < nc && st == FR_OK; k++) {
        if (!cur_ids[k] || search(prev_ids, pidx, np, cur_ids[k]) >= 0)
            continue;
        size_t i = cur->rows[k];
        fr_change *c = &out->items[out->count];
        c->parcel_id = strdup(cur_ids[k]);
        c->address = cur->address && cur->address[i] ? strdup(cur->address[i]) : NULL;
        c->rank = cur->rank[i];
        c->score = cur->score[i];
        c->previous_score = NAN;
        c->tier = cur->tier[i];
        c->entered = 1;
        c->parcel = (long)i;
        out->count++;
        out->entered++;
        if (!c->parcel_id || (cur->address && cur->address[i] && !c->address))
            st = fr_error_oom_while(err, "comparing target lists");
    }
    /* Left: on the previous list, not on the current one; where each is
     * now, looked up all at once. */
    size_t first_left = out->count, nleft = 0;
    const char **left_ids = malloc((np ? np : 1) * sizeof *left_ids);
    long *left_at = malloc((np ? np : 1) * sizeof *left_at);
    if (st == FR_OK && (!left_ids || !left_at))
        st = fr_error_oom_while(err, "comparing target lists");
    for (size_t k = 0; k < np && st == FR_OK; k++)
        if (search(cur_ids, cidx, nc, prev.rows[k].id) < 0)
            left_ids[nleft++] = prev.rows[k].id;
    for (size_t k = 0; k < nleft; k++)
        left_at[k] = -1;
    if (st == FR_OK && nleft && cur->find_all)
        st = cur->find_all(cur->find_ctx, left_ids, nleft, left_at, err);
    for (size_t k = 0, j = 0; k < np && st == FR_OK; k++) {
        const prev_row *p = &prev.rows[k];
        if (search(cur_ids, cidx, nc, p->id) >= 0)
            continue;
        long i = left_at[j++];
        fr_change *c = &out->items[out->count];
        const char *addr = i >= 0 && cur->address && cur->address[i] ? cur->address[i] : p->address;
        c->parcel_id = strdup(p->id);
        c->address = addr ? strdup(addr) : NULL;
        c->rank = i >= 0 ? cur->rank[i] : 0;
        c->previous_rank = p->rank;
        c->score = i >= 0 ? cur->score[i] : NAN;
        c->previous_score = p->score;
        c->tier = i >= 0 ? cur->tier[i] : NULL;
        c->parcel = i;
        out->count++;
        out->left++;
        if (!c->parcel_id || (addr && !c->address))
            st = fr_error_oom_while(err, "comparing target lists");
    }
    free(left_ids);
    free(left_at);
    if (st == FR_OK)
        qsort(out->items + first_left, out->count - first_left, sizeof *out->items, cmp_left);
done:
    free(prev_ids);
    free(cur_ids);
    free(pidx);
    free(cidx);
    prev_free(&prev);
    if (st != FR_OK)
        fr_changes_free(out);
    return st;
}

/* Up to 6 decimals without trailing zeros (the target list's format). */
static void put_real(FILE *fp, double v)
{
    if (isnan(v))
        return;
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.6f", v);
    while (n > 1 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
    if (!strcmp(buf, "-0"))
        strcpy(buf, "0");
    fputs(buf, fp);
}

fr_status fr_changes_write_csv(const fr_changes *c, const char *path, fr_error *err)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return fr_error_set(err, FR_E_OUTPUT, "cannot write %s: %s", path, strerror(errno));
    fputs("change,parcel_id,address,rank,previous_rank,score,previous_score,tier,why\n", fp);
    for (size_t k = 0; k < c->count; k++) {
        const fr_change *x = &c->items[k];
        fputs(x->entered ? "entered," : "left,", fp);
        geo_csv_field(fp, x->parcel_id);
        fputc(',', fp);
        geo_csv_field(fp, x->address);
        fputc(',', fp);
        if (x->rank > 0)
            fprintf(fp, "%ld", x->rank);
        fputc(',', fp);
        if (x->previous_rank > 0)
            fprintf(fp, "%ld", x->previous_rank);
        fputc(',', fp);
        put_real(fp, x->score);
        fputc(',', fp);
        put_real(fp, x->previous_score);
        fputc(',', fp);
        geo_csv_field(fp, x->tier);
        fputc(',', fp);
        geo_csv_field(fp, x->why);
        fputc('\n', fp);
    }
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return fr_error_set(err, FR_E_OUTPUT, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
    return FR_OK;
}

void fr_changes_free(fr_changes *c)
{
    for (size_t k = 0; k < c->count; k++) {
        free(c->items[k].parcel_id);
        free(c->items[k].address);
        free(c->items[k].why);
    }
    free(c->items);
    c->items = NULL;
    c->count = c->entered = c->left = 0;
}
