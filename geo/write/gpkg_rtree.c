/*
 * gpkg_rtree.c — the R-tree of a GeoPackage feature table, loaded in
 * Hilbert order (see gpkg_rtree.h).
 */
#include "gpkg_rtree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "psort.h"

#define HILBERT_BITS 16

/* Position of cell (x, y) of a 2^16 x 2^16 grid along the Hilbert curve. */
static uint32_t hilbert_d(uint32_t x, uint32_t y)
{
    const uint32_t n = 1u << HILBERT_BITS;
    uint32_t d = 0;
    for (uint32_t s = n / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
        d += s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

static uint32_t cell(double v, double lo, double span)
{
    double c = span > 0 ? (v - lo) / span * ((1u << HILBERT_BITS) - 1) : 0;
    return c <= 0 ? 0 : c >= (1u << HILBERT_BITS) - 1 ? (1u << HILBERT_BITS) - 1 : (uint32_t)c;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* keys[k] = Hilbert position of envelope k's centre << 32 | k, sorted. */
static fr_status hilbert_order(const double *env, size_t n, uint64_t **out, fr_error *err)
{
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys)
        return fr_error_oom_while(err, "ordering the R-tree");
    double minx = HUGE_VAL, maxx = -HUGE_VAL, miny = HUGE_VAL, maxy = -HUGE_VAL;
    for (size_t k = 0; k < n; k++) {
        double cx = (env[4 * k] + env[4 * k + 1]) / 2, cy = (env[4 * k + 2] + env[4 * k + 3]) / 2;
        minx = cx < minx ? cx : minx;
        maxx = cx > maxx ? cx : maxx;
        miny = cy < miny ? cy : miny;
        maxy = cy > maxy ? cy : maxy;
    }
    for (size_t k = 0; k < n; k++) {
        double cx = (env[4 * k] + env[4 * k + 1]) / 2, cy = (env[4 * k + 2] + env[4 * k + 3]) / 2;
        uint32_t h = hilbert_d(cell(cx, minx, maxx - minx), cell(cy, miny, maxy - miny));
        keys[k] = (uint64_t)h << 32 | (uint64_t)k;
    }
    fr_status st = fr_sort_parallel(keys, n, sizeof *keys, cmp_u64, err);
    if (st != FR_OK) {
        free(keys);
        return st;
    }
    *out = keys;
    return FR_OK;
}

/* rtree_<table>_<column> as an SQL identifier. */
static void rtree_name(fr_strbuf *b, const char *table, const char *column)
{
    fr_strbuf nm = {0};
    fr_sb_printf(&nm, "rtree_%s_%s", table, column);
    geo_gpkg_sb_ident(b, nm.s ? nm.s : "");
    b->oom |= nm.oom;
    fr_sb_free(&nm);
}

/* GDAL 3.6's triggers, text for text.  @R: the R-tree, @T: the table,
 * @C: the geometry column, @I: the fid column. */
static const char *const trigger_sql[] = {
    "CREATE TRIGGER @N_insert AFTER INSERT ON @T WHEN (new.@C NOT NULL AND NOT ST_IsEmpty(NEW.@C)) BEGIN "
    "INSERT OR REPLACE INTO @R VALUES (NEW.@I,ST_MinX(NEW.@C), ST_MaxX(NEW.@C),ST_MinY(NEW.@C), ST_MaxY(NEW.@C)); "
    "END;",
    "CREATE TRIGGER @N_update1 AFTER UPDATE OF @C ON @T WHEN OLD.@I = NEW.@I AND (NEW.@C NOTNULL AND NOT "
    "ST_IsEmpty(NEW.@C)) BEGIN INSERT OR REPLACE INTO @R VALUES (NEW.@I,ST_MinX(NEW.@C), ST_MaxX(NEW.@C),"
    "ST_MinY(NEW.@C), ST_MaxY(NEW.@C)); END;",
    "CREATE TRIGGER @N_update2 AFTER UPDATE OF @C ON @T WHEN OLD.@I = NEW.@I AND (NEW.@C ISNULL OR "
    "ST_IsEmpty(NEW.@C)) BEGIN DELETE FROM @R WHERE id = OLD.@I; END;",
    "CREATE TRIGGER @N_update3 AFTER UPDATE ON @T WHEN OLD.@I != NEW.@I AND (NEW.@C NOTNULL AND NOT "
    "ST_IsEmpty(NEW.@C)) BEGIN DELETE FROM @R WHERE id = OLD.@I; INSERT OR REPLACE INTO @R VALUES (NEW.@I,"
    "ST_MinX(NEW.@C), ST_MaxX(NEW.@C),ST_MinY(NEW.@C), ST_MaxY(NEW.@C)); END;",
    "CREATE TRIGGER @N_update4 AFTER UPDATE ON @T WHEN OLD.@I != NEW.@I AND (NEW.@C ISNULL OR "
    "ST_IsEmpty(NEW.@C)) BEGIN DELETE FROM @R WHERE id IN (OLD.@I, NEW.@I); END;",
    "CREATE TRIGGER @N_delete AFTER DELETE ON @T WHEN old.@C NOT NULL BEGIN DELETE FROM @R WHERE id = OLD.@I; "
    "END;",
};

/* The trigger template t with its names filled in: @N is the R-tree's
 * name as the start of an identifier ("rtree_T_C" followed by a suffix). */
static void put_trigger(fr_strbuf *b, const char *t, const char *table, const char *column)
{
    for (const char *p = t; *p; p++) {
        if (*p != '@') {
            fr_sb_put(b, p, 1);
            continue;
        }
        switch (*++p) {
        case 'R': rtree_name(b, table, column); break;
        case 'T': geo_gpkg_sb_ident(b, table); break;
        case 'C': geo_gpkg_sb_ident(b, column); break;
        case 'I': geo_gpkg_sb_ident(b, "fid"); break;
        case 'N': { /* "rtree_T_C_suffix" as one identifier */
            const char *end = p + 1;
            while (*end && *end != ' ')
                end++;
            fr_strbuf nm = {0};
            fr_sb_printf(&nm, "rtree_%s_%s%.*s", table, column, (int)(end - p - 1), p + 1);
            geo_gpkg_sb_ident(b, nm.s ? nm.s : "");
            b->oom |= nm.oom;
            fr_sb_free(&nm);
            p = end - 1;
            break;
        }
        default: fr_sb_put(b, p - 1, 2);
        }
    }
}

static fr_status load(geo_gpkg_db *d, const char *table, const char *column, const int64_t *fid, const double *env,
                      const uint64_t *keys, size_t n, fr_error *err)
{
    fr_strbuf b = {0};
    fr_sb_puts(&b, "INSERT INTO ");
    rtree_name(&b, table, column);
    fr_sb_puts(&b, " VALUES (?,?,?,?,?)");
    sqlite3_stmt *s = NULL;
    fr_status st = b.oom ? fr_error_oom_while(err, "writing %s: the R-tree", d->path)
                         : geo_gpkg_db_prepare(d, b.s, &s, err);
    fr_sb_free(&b);
    for (size_t j = 0; j < n && st == FR_OK; j++) {
        size_t k = (size_t)(keys[j] & 0xffffffffu);
        const double *e = env + 4 * k;
        sqlite3_bind_int64(s, 1, fid[k]);
        for (int c = 0; c < 4; c++)
            sqlite3_bind_double(s, 2 + c, e[c]);
        st = geo_gpkg_db_insert(d, s, "rtree", j, err);
    }
    sqlite3_finalize(s);
    return st;
}

fr_status geo_gpkg_rtree_create(geo_gpkg_db *d, const char *table, const char *column, const int64_t *fid,
                                const double *env, size_t n, fr_error *err)
{
    if (n > 0xffffffffu)
        return fr_error_set(err, FR_E_OUTPUT, "%s: %zu rows are more than the R-tree loader orders", d->path, n);
    fr_strbuf b = {0};
    fr_sb_puts(&b, "CREATE VIRTUAL TABLE ");
    rtree_name(&b, table, column);
    fr_sb_puts(&b, " USING rtree(id, minx, maxx, miny, maxy)");
    fr_status st = geo_gpkg_db_exec_sb(d, &b, "cannot create the R-tree", err);
    uint64_t *keys = NULL;
    if (st == FR_OK)
        st = hilbert_order(env, n, &keys, err);
    if (st == FR_OK)
        st = load(d, table, column, fid, env, keys, n, err);
    free(keys);
    for (size_t k = 0; k < sizeof trigger_sql / sizeof *trigger_sql; k++)
        put_trigger(&b, trigger_sql[k], table, column);
    if (st == FR_OK)
        st = geo_gpkg_db_exec_sb(d, &b, "cannot create the R-tree triggers", err);
    fr_sb_free(&b);
    /* the table of extensions, which GDAL creates with the first one */
    if (st == FR_OK)
        st = geo_gpkg_db_exec(d,
                              "CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT "
                              "NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE "
                              "(table_name, column_name, extension_name));",
                              "cannot create gpkg_extensions", err);
    sqlite3_stmt *s = NULL;
    if (st == FR_OK)
        st = geo_gpkg_db_prepare(d,
                                 "INSERT INTO gpkg_extensions (table_name,column_name,extension_name,definition,"
                                 "scope) VALUES (?,?,'gpkg_rtree_index',"
                                 "'http://www.geopackage.org/spec120/#extension_rtree','write-only')",
                                 &s, err);
    if (s) {
        sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, column, -1, SQLITE_STATIC);
        st = geo_gpkg_db_insert(d, s, "gpkg_extensions", 0, err);
        sqlite3_finalize(s);
    }
    return st;
}
